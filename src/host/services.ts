/**
 * Services a run offers its host functions: the Kubernetes connection of the session, the
 * compiler that `ko.Eval` needs, whatever an embedding application adds. A service is found by a
 * typed key, so the host layer carries them without knowing what they are, and two runs in one
 * process — two sessions with different clusters or roots — never see each other's.
 */

/** The key of a service of type T. Keys are compared by identity: export one per service. */
export interface ServiceKey<T> {
  readonly name: string;
  /** Never set: it only ties the key to its type. */
  readonly __type?: T;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  return { name };
}

/** An immutable set of services, by key. */
export class Services {
  static readonly none = new Services(new Map());

  private constructor(private readonly byKey: ReadonlyMap<ServiceKey<unknown>, unknown>) {}

  /** The same services, with `key` offering `service` (replacing an earlier one). */
  with<T>(key: ServiceKey<T>, service: T): Services {
    return new Services(new Map(this.byKey).set(key, service));
  }

  get<T>(key: ServiceKey<T>): T | undefined {
    return this.byKey.get(key) as T | undefined;
  }
}
