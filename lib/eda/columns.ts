import type { ColumnTable } from 'arquero';
import { UserError } from '../errors.ts';

/** Fails with a message naming the verb and the missing column, e.g. on unlabelled data. */
export function requireColumns(rows: ColumnTable, columns: readonly string[], verb: string): void {
  for (const column of columns) {
    if (!rows.column(column)) {
      throw new UserError(`${verb}: the table has no '${column}' column (has: ${rows.columnNames().join(', ')})`);
    }
  }
}
