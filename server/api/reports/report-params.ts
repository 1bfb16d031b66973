// POST /api/v1/reports input from JSON, urlencoded or multipart bodies alike,
// in Mastodon's parameter names (`status_ids[]`, `rule_ids[]`).
import { unprocessable } from '../../errors.ts';
import type { NewReportInput } from '../../services/moderation/file-report.service.ts';
import { booleanParam, listParam, stringParam } from '../accounts/params.ts';

const ID = /^\d{1,16}$/;

function idsParam(body: Record<string, unknown>, name: string): number[] {
  const values = [...listParam(body[`${name}[]`]), ...listParam(body[name])];
  return values.map((value) => {
    const text = stringParam(value)?.trim() ?? '';
    if (!ID.test(text)) throw unprocessable(`Validation failed: ${name} must hold ids, got ${JSON.stringify(value)}`);
    return Number(text);
  });
}

export function readNewReport(body: Record<string, unknown>): NewReportInput {
  const accountId = stringParam(body.account_id)?.trim() ?? '';
  if (accountId === '') throw unprocessable('Validation failed: account_id is required');
  if (!ID.test(accountId)) throw unprocessable('Validation failed: account_id must be an id');
  const category = stringParam(body.category)?.trim();
  return {
    accountId: Number(accountId),
    postIds: idsParam(body, 'status_ids'),
    comment: stringParam(body.comment) ?? '',
    category: category === '' ? undefined : category,
    ruleIds: idsParam(body, 'rule_ids'),
    forward: booleanParam(body.forward) ?? false,
  };
}
