import { IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Present } from '../records/present';

export class ReportLostPetDto {
  @IsUUID() petId: string;
  @IsString() @MinLength(1) @MaxLength(300) lastSeenLocation: string;
}

/** The contact phone is the reporter's profile phone, kept in sync while the pet is lost and taken anew when it is lost again. */
export class UpdateLostPetDto {
  @Present() @IsString() @MinLength(1) @MaxLength(300) lastSeenLocation?: string;
  @Present() @IsIn(['lost', 'found']) status?: 'lost' | 'found';
}
