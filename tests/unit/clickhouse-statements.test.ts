import { splitStatements } from '../../platform/migrate/clickhouse';

describe('splitStatements', () => {
  it('splits on statement-ending semicolons and drops comments and blanks', () => {
    const sql = `-- header\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\n-- second\nCREATE TABLE b (s String DEFAULT 'a;b') ENGINE = Memory;\n`;
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      "CREATE TABLE b (s String DEFAULT 'a;b') ENGINE = Memory",
    ]);
  });
});
