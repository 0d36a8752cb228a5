/** Name and value validation with apimachinery's wording. */
import { invalidField, type FieldError } from "./errors.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = "subdomain" | "label" | "dns1035";

export function validateName(rule: NameRule, name: string, field = "metadata.name"): FieldError[] {
  const errs: FieldError[] = [];
  if (rule === "label") {
    if (name.length > 63) errs.push(invalidField(field, name, "must be no more than 63 characters"));
    if (!DNS1123_LABEL.test(name))
      errs.push(
        invalidField(
          field,
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
  } else if (rule === "dns1035") {
    if (name.length > 63) errs.push(invalidField(field, name, "must be no more than 63 characters"));
    if (!DNS1035_LABEL.test(name))
      errs.push(
        invalidField(
          field,
          name,
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
      );
  } else {
    if (name.length > 253) errs.push(invalidField(field, name, "must be no more than 253 characters"));
    if (!DNS1123_SUBDOMAIN.test(name))
      errs.push(
        invalidField(
          field,
          name,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
      );
  }
  return errs;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Label keys are `[prefix/]name`; values are at most 63 characters of a restricted alphabet. */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  if (typeof labels !== "object" || Array.isArray(labels)) return [invalidField(field, labels, "must be a map of strings")];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const slash = k.lastIndexOf("/");
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    const prefix = slash >= 0 ? k.slice(0, slash) : "";
    if (!name || name.length > 63 || !QUALIFIED_NAME.test(name) || (prefix && !DNS1123_SUBDOMAIN.test(prefix)))
      errs.push(
        invalidField(
          field,
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
      );
    if (typeof v !== "string") errs.push(invalidField(`${field}[${k}]`, v, "must be a string"));
    else if (v.length > 63 || !LABEL_VALUE.test(v))
      errs.push(
        invalidField(
          `${field}[${k}]`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
  }
  return errs;
}

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
