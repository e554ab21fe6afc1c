import { map, type OperatorFunction } from 'rxjs';
import { PIXELS, type DigitRecord, type NormalizedDigit } from '../types.ts';
import { checkRecord } from '../data/check.ts';
import { writeUnitPixels } from '../data/pixels.ts';

/**
 * Scales each record's grey levels (0–255) to Float32 values in 0–1, keeping id and label. A record
 * that does not have 784 pixels, or has a label outside 0–9, fails the stream with an error naming it.
 *
 * @example
 * readDigits('data/train.csv').pipe(normalize()) // Observable<NormalizedDigit>
 */
export function normalize(): OperatorFunction<DigitRecord, NormalizedDigit> {
  return map((record) => {
    checkRecord('normalize', record);
    const pixels = new Float32Array(PIXELS);
    writeUnitPixels(pixels, 0, record.pixels);
    return record.label === undefined
      ? { id: record.id, pixels }
      : { id: record.id, label: record.label, pixels };
  });
}
