import { describe, expect, it } from 'vitest';
import { SEALED_CHAT } from '../../../protocol/signaling.js';
import { ChatKeys, SEALED } from './chat-seal.js';

const key = () => crypto.getRandomValues(new Uint8Array(32));

describe('sealed chat', () => {
  it('reads the same format the server accepts', () => {
    expect(SEALED.source).toBe(SEALED_CHAT.source);
  });

  it('opens only with the sender’s key for that key id, in that meeting, as that sender', async () => {
    const k = key();
    const ann = new ChatKeys('m1');
    ann.add('ann', 7, k.slice());
    const bo = new ChatKeys('m1');
    bo.add('ann', 7, k.slice());
    const sealed = await ann.seal('ann', 7, 'Shall we light the candles at eight?');
    expect(await bo.open('ann', sealed)).toBe('Shall we light the candles at eight?');
    // Another meeting, another sender name, a flipped byte: nothing opens.
    const elsewhere = new ChatKeys('m2');
    elsewhere.add('ann', 7, k.slice());
    expect(await elsewhere.open('ann', sealed, 20)).toBeNull();
    bo.add('cy', 7, k.slice());
    expect(await bo.open('cy', sealed, 20)).toBeNull();
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    expect(await bo.open('ann', `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, 20)).toBeNull();
    expect(await bo.open('ann', 'not a sealed message', 20)).toBeNull();
  });

  it('waits for a key that arrives after the message, and gives up when it never does', async () => {
    const k = key();
    const ann = new ChatKeys('m1');
    ann.add('ann', 1, k.slice());
    const sealed = await ann.seal('ann', 1, 'late key');
    const bo = new ChatKeys('m1');
    const opening = bo.open('ann', sealed, 2000);
    setTimeout(() => bo.add('ann', 1, k.slice()), 50);
    expect(await opening).toBe('late key');
    const never = new ChatKeys('m1');
    const t0 = Date.now();
    expect(await never.open('ann', sealed, 100)).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('leaves a device that holds only an earlier key unable to read what follows a rotation', async () => {
    const before = key();
    const after = key();
    const ann = new ChatKeys('m1');
    ann.add('ann', 1, before.slice());
    ann.add('ann', 2, after.slice());
    const removed = new ChatKeys('m1');
    removed.add('ann', 1, before.slice()); // removed before key 2 was sent
    expect(await removed.open('ann', await ann.seal('ann', 1, 'before'))).toBe('before');
    expect(await removed.open('ann', await ann.seal('ann', 2, 'after'), 20)).toBeNull();
  });

  it('refuses to seal without a key', async () => {
    await expect(new ChatKeys('m1').seal('ann', 0, 'x')).rejects.toThrow(/no chat key/);
  });
});
