import { type Harness, startHarness } from '../support/harness';

describe('health and metrics routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('embedded', new Date('2026-11-20T20:00:00Z'));
  });
  afterAll(async () => h.stop());

  test('/metrics answers Prometheus text', async () => {
    const response = await fetch(`${h.debrief.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/^# HELP debrief_process_cpu_user_seconds_total/m);
  });

  test('/healthz is 200 while the database answers and 503 once it does not', async () => {
    const healthy = await fetch(`${h.debrief.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });
    await h.database.close();
    const unhealthy = await fetch(`${h.debrief.url}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ status: 'database unavailable' });
  });
});
