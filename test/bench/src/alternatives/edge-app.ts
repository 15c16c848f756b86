import { join } from 'node:path';
import 'reflect-metadata';
import { Body, Controller, Module, Put, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { BearerAuthGuard, CurrentUser, JWT_SECRET } from '@ripple/auth';
import { createHttpApp } from '@ripple/http-edge';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { ROOT } from '../support/env';

/**
 * `PUT /c/profile` as a Nest app, answered by `update(profileInfo, userId)`: behind Ripple's HTTP
 * edge as every service has it (createHttpApp), with the profiles app's own UpdateProfileDto and
 * BearerAuthGuard, as `PUT /api/users/profile` has them; or, `bare`, on Nest with nothing else,
 * on Express or on Fastify (the adapter's default JSON body parser, no validation, no guard:
 * userId undefined).
 */
export async function createProfileEdgeApp(opts: { secret: string; bare?: 'express' | 'fastify'; update(profileInfo: Record<string, unknown>, userId: string | undefined): unknown }): Promise<INestApplication> {
  const { UpdateProfileDto } = require(join(ROOT, 'apps', 'profiles', 'dist', 'users', 'updating-profile', 'update-profile.controller.js'));
  // Decorated by hand: the DTO is loaded at run time, so its type cannot be emitted as the parameter's metadata.
  class ProfileEdgeController {
    update(dto: { profileInfo: Record<string, unknown> }, caller?: { sub: string }) {
      return opts.update(dto.profileInfo, caller?.sub);
    }
  }
  const proto = ProfileEdgeController.prototype;
  Reflect.defineMetadata('design:paramtypes', [opts.bare ? Object : UpdateProfileDto, Object], proto, 'update');
  Body()(proto, 'update', 0);
  if (!opts.bare) CurrentUser()(proto, 'update', 1);
  Put('profile')(proto, 'update', Object.getOwnPropertyDescriptor(proto, 'update')!);
  if (!opts.bare) UseGuards(BearerAuthGuard)(ProfileEdgeController);
  Controller('c')(ProfileEdgeController);
  class ProfileEdgeModule {}
  Module({ controllers: [ProfileEdgeController], providers: [{ provide: JWT_SECRET, useValue: opts.secret }] })(ProfileEdgeModule);
  if (opts.bare === 'express') return NestFactory.create(ProfileEdgeModule, { logger: false });
  if (opts.bare === 'fastify') return NestFactory.create(ProfileEdgeModule, new FastifyAdapter(), { logger: false });
  return createHttpApp(ProfileEdgeModule, { logger: new JsonLogger('profile-edge', 'error'), metrics: new RippleMetrics('profile-edge'), bodyLimit: '1mb' });
}
