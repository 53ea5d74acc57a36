/**
 * The alert rules load (`promtool check rules`) and fire on the series that should fire them
 * (`promtool test rules` runs scripts/stack/config/prometheus/alerts.test.yml). promtool comes
 * with Debian's prometheus package, which the stack installs.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const dir = path.resolve('scripts/stack/config/prometheus');
const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: dir, encoding: 'utf8' });

describe('Prometheus alert rules', () => {
  it('load: promtool check rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fire when they should and only then: promtool test rules', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });
});
