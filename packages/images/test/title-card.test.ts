import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { titleCard } from '../src/index.js';

describe('titleCard', () => {
  it('draws a 2.35:1 PNG in the given colours, with the title in CJK glyphs (not blank, not tofu-only)', async () => {
    const { data, width, height } = await titleCard({
      title: '深入理解 TCP 三次握手与四次挥手：面试中最常被问到的网络问题',
      subtitle: '作者',
      background: '#0f6fec',
    });
    expect([width, height]).toEqual([900, 383]);
    const meta = await sharp(data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 900, 383]);
    const { channels } = await sharp(data).stats();
    // The background dominates; white text lifts the red channel's maximum to ~255.
    expect(channels[2]?.mean).toBeGreaterThan(180);
    expect(channels[0]?.max).toBeGreaterThan(240);
    // The glyphs differ: a card of another title is another image.
    const other = await titleCard({ title: '另一个标题', background: '#0f6fec' });
    expect(other.data.equals(data)).toBe(false);
  });

  it('shrinks the type for a long title instead of running off the card', async () => {
    const long = await titleCard({ title: '很长的标题'.repeat(12), width: 470 });
    expect(long.height).toBe(200);
    const { channels } = await sharp(long.data).stats();
    expect(channels[0]?.max).toBeGreaterThan(240);
  });
});
