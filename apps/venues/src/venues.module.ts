import { Module, type DynamicModule } from '@nestjs/common';
import type { ConfigSpec } from '@ripple/config';
import { RuntimeModule, type ServiceRuntime } from '@ripple/service-host';
import { GallerasController, VenuesController } from './directory/reading-directory/directory.controllers';
import { DirectoryReader } from './directory/reading-directory/directory.reader';

@Module({})
export class VenuesModule {
  static forRuntime(rt: ServiceRuntime<ConfigSpec>): DynamicModule {
    return {
      module: VenuesModule,
      imports: [RuntimeModule.forRoot(rt)],
      controllers: [VenuesController, GallerasController],
      providers: [DirectoryReader],
    };
  }
}
