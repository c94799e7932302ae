import { describe, expect, it } from 'vitest';
import {
  parseDashboardMarker,
  parseNoticeMarker,
  parseProposalMarker,
  writeDashboardMarker,
  writeNoticeMarker,
  writeProposalMarker,
} from '../../scripts/github/marker.ts';

describe('proposal marker', () => {
  it('writes the documented form and reads it back', () => {
    const text = writeProposalMarker({ id: 'deloitte-consulting', kind: 'add-company', evidenceHash: '9f2c1ab3d4e5f607', contentHash: '0123456789abcdef' });
    expect(text).toBe(
      '<!-- icewatch:proposal {"id":"deloitte-consulting","kind":"add-company","evidenceHash":"9f2c1ab3d4e5f607","contentHash":"0123456789abcdef"} -->',
    );
    expect(parseProposalMarker(`${text}\n## Add Deloitte`)).toEqual({
      id: 'deloitte-consulting',
      kind: 'add-company',
      evidenceHash: '9f2c1ab3d4e5f607',
      contentHash: '0123456789abcdef',
    });
  });

  it('reads a marker without a content hash (the minimal documented form)', () => {
    const body = 'text\n<!-- icewatch:proposal {"id":"lukos","kind":"status-change","evidenceHash":"abc"} -->\nmore';
    expect(parseProposalMarker(body)).toEqual({ id: 'lukos', kind: 'status-change', evidenceHash: 'abc' });
  });

  it('keeps "--" and ">" in values from ending the HTML comment', () => {
    const text = writeProposalMarker({ id: 'a-b', kind: 'add-company', evidenceHash: 'x-->y--z<b>' });
    const inner = text.slice('<!--'.length, -'-->'.length);
    expect(inner).not.toContain('--');
    expect(inner).not.toContain('>');
    expect(parseProposalMarker(text)?.evidenceHash).toBe('x-->y--z<b>');
  });

  it('returns undefined for missing, malformed or invalid markers', () => {
    expect(parseProposalMarker(undefined)).toBeUndefined();
    expect(parseProposalMarker('no marker here')).toBeUndefined();
    expect(parseProposalMarker('<!-- icewatch:proposal {"id": -->')).toBeUndefined();
    expect(parseProposalMarker('<!-- icewatch:proposal {"id":"Not A Slug","kind":"add-company","evidenceHash":"a"} -->')).toBeUndefined();
    expect(parseProposalMarker('<!-- icewatch:proposal {"id":"ok","kind":"delete-everything","evidenceHash":"a"} -->')).toBeUndefined();
  });

  it('dashboard and notice markers round-trip and do not read as proposal markers', () => {
    const dash = writeDashboardMarker({ contentHash: 'feedfacecafebeef' });
    expect(parseDashboardMarker(dash)).toEqual({ contentHash: 'feedfacecafebeef' });
    expect(parseProposalMarker(dash)).toBeUndefined();
    const notice = writeNoticeMarker({ id: 'celeen', contentHash: '00112233aabbccdd' });
    expect(parseNoticeMarker(`${notice}\nicewatch has newer evidence`)).toEqual({ id: 'celeen', contentHash: '00112233aabbccdd' });
    expect(parseDashboardMarker(notice)).toBeUndefined();
  });
});
