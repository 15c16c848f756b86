import type { INestApplication } from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { BearerAuthGuard } from '@ripple/auth';

/** What the document needs to know of a handler that swagger's explorer does not see. */
export interface HandlerFacts {
  /** Behind BearerAuthGuard, on the handler or its controller. */
  bearer: boolean;
  /** `@Query() q: SomeDto` / `@Param() p: SomeDto`: the DTO's name, whose fields are the parameters. */
  queryDto?: string;
  paramDto?: string;
}

/** `<Controller>_<method>`: the operation ids the document is built with, so an operation finds its handler. */
export const operationIdOf = (controller: string, method: string) => `${controller}_${method}`;

export function handlerFacts(app: INestApplication): Map<string, HandlerFacts> {
  const facts = new Map<string, HandlerFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const onClass = hasBearer(Reflect.getMetadata(GUARDS_METADATA, metatype));
      for (const key of Object.getOwnPropertyNames(metatype.prototype)) {
        const handler = metatype.prototype[key];
        if (key === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        facts.set(operationIdOf(metatype.name, key), {
          bearer: onClass || hasBearer(Reflect.getMetadata(GUARDS_METADATA, handler)),
          queryDto: wholeArgumentDto(metatype, key, RouteParamtypes.QUERY),
          paramDto: wholeArgumentDto(metatype, key, RouteParamtypes.PARAM),
        });
      }
    }
  }
  return facts;
}

const hasBearer = (guards: unknown[] | undefined) => (guards ?? []).some((g) => g === BearerAuthGuard);

function wholeArgumentDto(controller: Function, key: string, type: RouteParamtypes): string | undefined {
  const args: Record<string, { index: number; data?: unknown }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {};
  const types: unknown[] = Reflect.getMetadata('design:paramtypes', controller.prototype, key) ?? [];
  for (const [k, arg] of Object.entries(args)) {
    if (k.split(':')[0] !== String(type) || arg.data !== undefined) continue;
    const cls = types[arg.index];
    if (typeof cls === 'function' && cls !== Object && cls !== String) return cls.name;
  }
  return undefined;
}
