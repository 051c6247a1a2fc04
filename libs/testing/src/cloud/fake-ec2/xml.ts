/** A value EC2's XML answers are made of: text, a nested element, or a list (rendered as `<item>`s). */
export type XmlValue = string | number | boolean | undefined | XmlObject | readonly XmlValue[];
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: XmlValue) => `<item>${render(item)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as XmlObject)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => `<${name}>${render(v)}</${name}>`)
      .join('');
  }
  return escape(String(value));
}

/** `<ActionResponse xmlns=...><requestId>..</requestId>...</ActionResponse>`, as EC2 answers a Query API call. */
export function actionResponse(action: string, requestId: string, body: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${render({ requestId, ...body })}</${action}Response>`;
}

/** EC2's error envelope (unlike most AWS query services: `Response/Errors/Error` and `RequestID`). */
export function errorResponse(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${render({ Errors: { Error: { Code: code, Message: message } } })}<RequestID>${requestId}</RequestID></Response>`;
}
