import assert from 'node:assert/strict';
import { OrganisationDetails } from '../../src/domain/admission.js';

describe('names providers give themselves', () => {
  it('refuses links and markdown in an organisation or contact name, next to the field', () => {
    for (const orgName of ['[Verify](https://evil.example) Ltd', 'www.evil.example', 'Evil_Care *Ltd*', 'care@evil.example']) {
      const r = OrganisationDetails.shape.orgName.safeParse(orgName);
      assert.ok(!r.success && /organisation name: letters, digits and ordinary punctuation only/.test(r.error.issues[0].message), orgName);
    }
    for (const orgName of ['Riverside Support CIC', "St Anne's Care (UK) Ltd.", 'Care & Co - North', 'A1 Homecare, 2nd Branch']) assert.ok(OrganisationDetails.shape.orgName.safeParse(orgName).success, orgName);
  });
});
