import { map, type OperatorFunction } from 'rxjs';
import type { ImageRecord, NormalizedImage } from '../types.ts';
import { checkRecord } from '../data/check.ts';
import { writeUnitPixels } from '../data/pixels.ts';
import type { ImageFormat } from '../data/format.ts';

/**
 * Scales each record's grey levels (0–255) to Float32 values in 0–1, keeping id and label. A record
 * whose label is not a class index, or (when `format` is given) whose pixel count is not the format's,
 * fails the stream with an error naming it.
 *
 * @example
 * readImages('data/train.csv').pipe(normalize()) // Observable<NormalizedImage>
 */
export function normalize(format?: ImageFormat): OperatorFunction<ImageRecord, NormalizedImage> {
  return map((record) => {
    checkRecord('normalize', record, format);
    const pixels = new Float32Array(record.pixels.length);
    writeUnitPixels(pixels, 0, record.pixels);
    return record.label === undefined
      ? { id: record.id, pixels }
      : { id: record.id, label: record.label, pixels };
  });
}
