/**
 * Builds small FPDS ATOM feed pages for the paging tests (made by the project, shaped like the
 * recordings: Atom default namespace, FPDS content under ns1:). Each entry is one ICE delivery order.
 */
export interface MadeEntry {
  piid: string;
  modNumber?: string;
  obligated?: string;
  total?: string;
  signed?: string;
  vendor?: string;
  /** transactionInformation/lastModifiedDate (default 2026-03-03 10:00:00). */
  lastModified?: string;
  description?: string;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function madeEntry(entry: MadeEntry): string {
  const mod = entry.modNumber ?? '0';
  const signed = entry.signed ?? '2026-03-02 00:00:00';
  return `  <entry>
    <title><![CDATA[DELIVERY ORDER ${entry.piid} (${mod})]]></title>
    <modified>2026-03-03 10:00:00</modified>
    <content xmlns:ns1="https://www.fpds.gov/FPDS" type="application/xml">
      <ns1:award xmlns:ns1="https://www.fpds.gov/FPDS" version="1.5">
        <ns1:awardID>
          <ns1:awardContractID>
            <ns1:agencyID name="U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT">7012</ns1:agencyID>
            <ns1:PIID>${escapeXml(entry.piid)}</ns1:PIID>
            <ns1:modNumber>${escapeXml(mod)}</ns1:modNumber>
            <ns1:transactionNumber>0</ns1:transactionNumber></ns1:awardContractID>
          <ns1:referencedIDVID>
            <ns1:agencyID name="U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT">7012</ns1:agencyID>
            <ns1:PIID>70CDCR26D99990100</ns1:PIID>
            <ns1:modNumber>0</ns1:modNumber></ns1:referencedIDVID></ns1:awardID>
        <ns1:relevantContractDates>
          <ns1:signedDate>${signed}</ns1:signedDate>
          <ns1:effectiveDate>2026-03-02 00:00:00</ns1:effectiveDate>
          <ns1:currentCompletionDate>2026-09-30 00:00:00</ns1:currentCompletionDate></ns1:relevantContractDates>
        <ns1:dollarValues>
          <ns1:obligatedAmount>${entry.obligated ?? '100.00'}</ns1:obligatedAmount></ns1:dollarValues>
        <ns1:totalDollarValues>
          <ns1:totalObligatedAmount>${entry.total ?? entry.obligated ?? '100.00'}</ns1:totalObligatedAmount></ns1:totalDollarValues>
        <ns1:purchaserInformation>
          <ns1:contractingOfficeAgencyID name="U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT" departmentID="7000" departmentName="HOMELAND SECURITY, DEPARTMENT OF">7012</ns1:contractingOfficeAgencyID></ns1:purchaserInformation>
        <ns1:contractData>
          <ns1:contractActionType description="DELIVERY ORDER">C</ns1:contractActionType>${entry.description ? `
          <ns1:descriptionOfContractRequirement>${escapeXml(entry.description)}</ns1:descriptionOfContractRequirement>` : ''}</ns1:contractData>
        <ns1:vendor>
          <ns1:vendorHeader>
            <ns1:vendorName>${escapeXml(entry.vendor ?? 'EXAMPLE PAGED VENDOR LLC')}</ns1:vendorName></ns1:vendorHeader></ns1:vendor>
        <ns1:transactionInformation>
          <ns1:lastModifiedDate>${entry.lastModified ?? '2026-03-03 10:00:00'}</ns1:lastModifiedDate></ns1:transactionInformation></ns1:award>
    </content>
  </entry>
`;
}

export function madePage(entries: MadeEntry[], links: { next?: string; last?: string } = {}): string {
  const linkXml = Object.entries(links)
    .filter(([, href]) => href !== undefined)
    .map(([rel, href]) => `  <link rel="${rel}" type="text/html" href="${escapeXml(href as string)}"></link>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>FPDS-NG search results for<![CDATA[: made paging test]]></title>
${linkXml}  <modified/>
${entries.map(madeEntry).join('')}</feed>
`;
}

/** Ten entries numbered from `first`: PIIDs 70CDCR26F9999xxxx. */
export function tenEntries(first: number): MadeEntry[] {
  return Array.from({ length: 10 }, (_, i) => ({ piid: `70CDCR26F9999${String(first + i).padStart(4, '0')}` }));
}
