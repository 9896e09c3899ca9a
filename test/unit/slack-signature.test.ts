import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signSlackRequest } from '../kit/slack-signature';

describe('signSlackRequest', () => {
  it("reproduces Slack's published example from the 'verifying requests' page", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('signs v0:{timestamp}:{body} with HMAC-SHA256, so any change to body, time or secret changes it', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 2 ** 31 }), (secret, body, ts) => {
        const expected = createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
        const signed = signSlackRequest(secret, body, ts);
        expect(signed['x-slack-signature']).toBe(`v0=${expected}`);
        expect(signSlackRequest(secret, `${body}x`, ts)['x-slack-signature']).not.toBe(signed['x-slack-signature']);
        expect(signSlackRequest(secret, body, ts + 1)['x-slack-signature']).not.toBe(signed['x-slack-signature']);
      }),
    );
  });

  it('sends the timestamp as whole seconds', () => {
    expect(signSlackRequest('s', '', 1531420618.9)['x-slack-request-timestamp']).toBe('1531420618');
  });
});
