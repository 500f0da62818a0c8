import type { FastifyInstance } from 'fastify';
import { HttpError } from './httpError.ts';

/**
 * Reads bodies of these content types as JSON with fastify's own parser (it refuses
 * `__proto__` and `constructor.prototype` keys), with the parse error's detail in the answer,
 * so a client sees where its JSON broke instead of a bare "invalid".
 */
export const addJsonBodyParser = (app: FastifyInstance, contentTypes: readonly string[]): void => {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const types = [...contentTypes];
  for (const type of types) if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
  app.addContentTypeParser(types, { parseAs: 'string' }, (request, raw, done) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    void parseJson(request, body, (error, value) => {
      if (error === null) return done(null, value);
      if ((error as { code?: unknown }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(error);
      done(
        new HttpError(400, 'invalid_json', `the body is not valid JSON (${syntaxDetail(body)}); send one JSON object`),
      );
    });
  });
};

const syntaxDetail = (body: string): string => {
  try {
    JSON.parse(body);
    return 'it has a __proto__ or constructor.prototype key, which is refused';
  } catch (error) {
    return (error as Error).message;
  }
};
