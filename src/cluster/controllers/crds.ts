/**
 * The apiextensions controllers, as one: naming (a CRD's names are accepted unless another CRD of
 * its group already uses them: NamesAccepted, status.acceptedNames), establishing (Established
 * once its names are accepted; the types are then served, see crd.ts) and finalizing (a deleted
 * CRD's objects are deleted, with the Terminating condition saying so, and then its cleanup
 * finalizer is removed and the CRD goes).
 */
import { CLEANUP_FINALIZER, CRD_GROUP, CRD_STORAGE, conditionTrue, setCrdCondition } from "../crd.js";
import { grKey, type KObject, type ResourceType } from "../resources.js";
import type { StoreEvent } from "../object-store.js";
import { deepEqual } from "../util.js";
import type { Controller, ControllerManager } from "./manager.js";

const MANAGER = "kube-apiserver";

interface Names {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
}

/** calculateNamesAndConditions of the naming controller. */
function namesAndConditions(crd: KObject, others: KObject[]): { names: Names; conditions: KObject[] } {
  const requested: Names = crd.spec?.names ?? {};
  const accepted: Names = crd.status?.acceptedNames ?? {};
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    const n: Names = o.status?.acceptedNames ?? {};
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  const names: Names = { ...accepted };
  let condition: KObject | undefined;
  const conflict = (reason: string, name: string) =>
    (condition = { type: "NamesAccepted", status: "False", reason, message: `"${name}" is already in use` });
  const fresh = (req: string | undefined, acc: string | undefined, used: Set<string>) => !req || req === acc || !used.has(req);
  if (fresh(requested.plural, accepted.plural, resources)) names.plural = requested.plural;
  else conflict("PluralConflict", requested.plural!);
  if (fresh(requested.singular, accepted.singular, resources)) names.singular = requested.singular;
  else conflict("SingularConflict", requested.singular!);
  const clash = (requested.shortNames ?? []).find((s) => !(accepted.shortNames ?? []).includes(s) && resources.has(s));
  if (clash === undefined) names.shortNames = requested.shortNames;
  else conflict("ShortNamesConflict", clash);
  if (fresh(requested.kind, accepted.kind, kinds)) names.kind = requested.kind;
  else conflict("KindConflict", requested.kind!);
  if (fresh(requested.listKind, accepted.listKind, kinds)) names.listKind = requested.listKind;
  else conflict("ListKindConflict", requested.listKind!);
  names.categories = requested.categories;
  for (const k of Object.keys(names) as (keyof Names)[]) if (names[k] === undefined) delete names[k];
  const namesAccepted = condition ?? { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" };
  let conditions = setCrdCondition(crd.status?.conditions, namesAccepted);
  if (namesAccepted.status === "True")
    conditions = setCrdCondition(conditions, {
      type: "Established",
      status: "True",
      reason: "InitialNamesAccepted",
      message: "the initial names have been accepted",
    });
  else if (!conditionTrue(crd, "Established"))
    conditions = setCrdCondition(conditions, {
      type: "Established",
      status: "False",
      reason: "NotAccepted",
      message: "not all names are accepted",
    });
  return { names, conditions };
}

/** Conditions compared without their times: a reconcile that changes nothing writes nothing. */
const sameConditions = (a: KObject[] | undefined, b: KObject[] | undefined) =>
  deepEqual(
    (a ?? []).map(({ lastTransitionTime: _t, ...c }) => c),
    (b ?? []).map(({ lastTransitionTime: _t, ...c }) => c),
  );

export class CustomResourceDefinitionController implements Controller {
  readonly name = "customresourcedefinitions";
  constructor(private readonly m: ControllerManager) {}

  private get crdType(): ResourceType {
    return this.m.api.registry.at(CRD_GROUP, "v1", "customresourcedefinitions")!;
  }

  *keys(e: StoreEvent): Iterable<string> {
    if (e.gr === CRD_STORAGE) {
      yield e.object.metadata.name;
      // Names one CRD gives up or takes may be what another of its group waits for.
      if (e.type === "DELETED" || !deepEqual(e.object.status?.acceptedNames, e.previous?.status?.acceptedNames))
        for (const other of this.m.api.store.list(CRD_STORAGE))
          if (other.spec?.group === e.object.spec?.group && other.metadata.name !== e.object.metadata.name) yield other.metadata.name;
    } else if (e.type === "DELETED") {
      // The last objects of a deleted CRD going: it may be finalized now.
      const rt = this.m.api.registry.byStorage(e.gr);
      if (rt?.custom?.terminating) yield rt.custom.crd;
    }
  }

  reconcile(name: string): void {
    const crd = this.m.api.tryGet(this.crdType, undefined, name);
    if (!crd) return;
    if (crd.metadata.deletionTimestamp) return this.finalize(crd);
    const others = this.m.api.store.list(CRD_STORAGE).filter((o) => o.spec?.group === crd.spec?.group && o.metadata.name !== name);
    const { names, conditions } = namesAndConditions(crd, others);
    if (deepEqual(names, crd.status?.acceptedNames) && sameConditions(conditions, crd.status?.conditions)) return;
    this.patchStatus(name, () => ({ acceptedNames: names, conditions }));
  }

  /** The finalizer: delete every object of the CRD, then let the CRD go. */
  private finalize(crd: KObject): void {
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    const api = this.m.api;
    const name = crd.metadata.name;
    let done: KObject;
    if (conditionTrue(crd, "Established")) {
      const terminating = (crd.status?.conditions ?? []).find((c: KObject) => c.type === "Terminating");
      if (terminating?.reason !== "InstanceDeletionInProgress")
        this.setCondition(name, {
          type: "Terminating",
          status: "True",
          reason: "InstanceDeletionInProgress",
          message: "CustomResource deletion is in progress",
        });
      const types = api.registry.customTypes(name);
      const rt: ResourceType | undefined = types.find((t) => t.version === t.custom?.storageVersion) ?? types[0];
      if (rt) {
        for (const o of api.store.list(grKey(rt)))
          if (!o.metadata.deletionTimestamp) api.delete(rt, o.metadata.namespace, o.metadata.name, { fieldManager: MANAGER });
        // Objects with finalizers of their own hold the CRD until their controllers let them go.
        if (api.store.list(grKey(rt)).length > 0) return;
      }
      done = { type: "Terminating", status: "False", reason: "InstanceDeletionCompleted", message: "removed all instances" };
    } else done = { type: "Terminating", status: "False", reason: "NeverEstablished", message: "resource was never established" };
    this.setCondition(name, done);
    this.m.mutate(this.crdType, undefined, name, MANAGER, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
    });
  }

  private setCondition(name: string, condition: KObject): void {
    this.patchStatus(name, (status) => ({ conditions: setCrdCondition(status.conditions, condition) }));
  }

  /** Writes fields of a CRD's status (through its status subresource), keeping the others. */
  private patchStatus(name: string, fields: (status: KObject) => KObject): void {
    this.m.mutate(
      this.crdType,
      undefined,
      name,
      MANAGER,
      (o) => {
        const status: KObject = o.status ?? {};
        o.status = { ...status, ...fields(status) };
      },
      "status",
    );
  }
}
