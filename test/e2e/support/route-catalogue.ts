import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { deadLettersController, type ServiceDefinition } from '@ripple/service-host';
import { isGatewayPath, routeFor } from '../../../apps/gateway/src/proxy/route-table';

/** The fields a DTO validates, with their class-validator rules (`isInt: []`, `max: [200]`, ...) and nested DTOs expanded. */
export type Shape = { [field: string]: Field };
export interface Field {
  rules: Record<string, unknown[]>;
  nested?: Shape;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With `:name` placeholders. */
  path: string;
  params: string[];
  body?: Shape;
  query?: Shape;
}

const ROOT = join(__dirname, '..', '..', '..');
const APPS = ['profiles', 'venues', 'pets', 'connectors', 'gateway'];
const METHODS: Partial<Record<RequestMethod, Route['method']>> = {
  [RequestMethod.GET]: 'GET', [RequestMethod.POST]: 'POST', [RequestMethod.PUT]: 'PUT', [RequestMethod.PATCH]: 'PATCH', [RequestMethod.DELETE]: 'DELETE',
};
// @nestjs/common's RouteParamtypes
const BODY = 3;
const QUERY = 4;

/**
 * Every /api route the apps serve through the gateway, read from the code: each
 * app's controllers (the files named `*.controller(s).ts`) and the dead-letter
 * controllers of every service, with the DTOs their bodies and
 * queries are validated against. A new controller is covered without listing it.
 */
export function apiRoutes(): Route[] {
  const controllers = APPS.flatMap((app) => files(join(ROOT, 'apps', app, 'src')).filter((f) => /\.controllers?\.ts$/.test(f)))
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>))
    .filter((v): v is Function => typeof v === 'function' && Reflect.hasMetadata('path', v));
  const services = APPS.flatMap((app) => files(join(ROOT, 'apps', app, 'src')).filter((f) => f.endsWith('.definition.ts')))
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>))
    .filter((v): v is ServiceDefinition<never> => typeof (v as ServiceDefinition<never>)?.schema === 'string');
  // Every service serves its dead letters (404 NO_PROJECTIONS where it runs none).
  const routes = [...controllers, ...services.map((d) => deadLettersController(d.name))].flatMap(routesOf);
  return routes.filter((r) => r.path.startsWith('/api/') && (routeFor(r.path) !== undefined || isGatewayPath(r.path)));
}

function routesOf(controller: Function): Route[] {
  const base = String(Reflect.getMetadata('path', controller));
  const proto = controller.prototype;
  return Object.getOwnPropertyNames(proto).flatMap((name) => {
    const handler = proto[name];
    const method = METHODS[Reflect.getMetadata('method', handler) as RequestMethod];
    if (name === 'constructor' || !method) return [];
    const sub = String(Reflect.getMetadata('path', handler) ?? '/');
    const path = `/${[base, sub].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
    const args: Record<string, { index: number; data?: string }> = Reflect.getMetadata('__routeArguments__', controller, name) ?? {};
    const types: Function[] = Reflect.getMetadata('design:paramtypes', proto, name) ?? [];
    const dto = (kind: number) => {
      const arg = Object.entries(args).find(([key]) => Number(key.split(':')[0]) === kind)?.[1];
      if (!arg) return undefined;
      return arg.data ? { [arg.data]: { rules: {} } } : shapeOf(types[arg.index]);
    };
    const queries = Object.entries(args).filter(([key, a]) => Number(key.split(':')[0]) === QUERY && a.data).map(([, a]) => a.data!);
    const query = queries.length ? Object.fromEntries(queries.map((q) => [q, { rules: {} }])) : dto(QUERY);
    return [{ method, path, params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]), body: ['GET', 'DELETE'].includes(method) ? undefined : dto(BODY) ?? {}, query }];
  });
}

function shapeOf(type: Function | undefined, depth = 0): Shape {
  if (!type || depth > 3) return {};
  const shape: Shape = {};
  for (const m of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    const field = (shape[m.propertyName] ??= { rules: {} });
    if (m.name) field.rules[m.name] = m.constraints ?? [];
    const inner = Reflect.getMetadata('design:type', type.prototype, m.propertyName) as Function | undefined;
    if (m.type === 'nestedValidation' && inner && inner !== Array && inner !== Object) field.nested = shapeOf(inner, depth + 1);
  }
  return shape;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}
