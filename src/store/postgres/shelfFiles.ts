import type pg from 'pg';
import type { ShelfFile, ShelfStorage } from '../../reports/shelf.js';

/**
 * The shelf's files in PostgreSQL (004_shelf_files.sql), so a link made on one instance opens on
 * every other. Expired rows are deleted as new files are kept.
 */
export class PgShelfFiles implements ShelfStorage {
  constructor(private readonly db: Pick<pg.Pool, 'query'>) {}

  async keep(id: string, file: ShelfFile, expires: number, now: number): Promise<void> {
    await this.db.query('DELETE FROM shelf_files WHERE expires_at <= $1', [new Date(now)]);
    await this.db.query('INSERT INTO shelf_files (id, body, content_type, filename, expires_at) VALUES ($1, $2, $3, $4, $5)', [id, file.body, file.contentType, file.filename ?? null, new Date(expires)]);
  }

  async fetch(id: string, now: number): Promise<ShelfFile | undefined> {
    const { rows } = await this.db.query<{ body: Buffer; content_type: string; filename: string | null }>(
      'SELECT body, content_type, filename FROM shelf_files WHERE id = $1 AND expires_at > $2',
      [id, new Date(now)],
    );
    const row = rows[0];
    return row && { body: row.body, contentType: row.content_type, ...(row.filename ? { filename: row.filename } : {}) };
  }
}
