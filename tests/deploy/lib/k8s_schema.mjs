// Offline validation of Kubernetes objects: kubernetes-models checks each object against the
// API's OpenAPI schema (types, required fields, enums); the API's OpenAPI schema lets unknown
// fields through, which the API server refuses (kubectl's strict field validation), so field
// names are checked too, against the attribute maps of @kubernetes/client-node's generated models.
import * as fieldModels from "@kubernetes/client-node/dist/gen/models/all.js";

const MODEL_MODULES = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
};

/** Throws unless `obj` passes the OpenAPI schema of its apiVersion and kind. */
export async function validateSchema(obj) {
  const module = MODEL_MODULES[obj.apiVersion];
  if (!module) throw new Error(`no schema known for apiVersion ${obj.apiVersion}`);
  const Model = (await import(`${module}/${obj.kind}`))[obj.kind];
  new Model(obj).validate();
}

/** The paths of fields `obj` has that its Kubernetes type does not define. */
export function unknownFields(obj) {
  const version = obj.apiVersion.split("/").at(-1);
  return unknownFieldsOf(obj, `${version[0].toUpperCase()}${version.slice(1)}${obj.kind}`, obj.kind);
}

/** The same for a value of the Kubernetes type `typeName` (e.g. V1PodSpec) at `path`. */
export function unknownFieldsOf(value, typeName, path) {
  if (!fieldModels[typeName]) throw new Error(`no field model ${typeName}`);
  const unknown = [];
  walk(value, typeName, path, unknown);
  return unknown;
}

function walk(value, type, path, unknown) {
  if (value == null) return;
  const array = type.match(/^Array<(.+)>$/);
  if (array) {
    value.forEach((item, i) => walk(item, array[1], `${path}[${i}]`, unknown));
    return;
  }
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    for (const [k, v] of Object.entries(value)) walk(v, map[1], `${path}.${k}`, unknown);
    return;
  }
  const model = fieldModels[type];
  if (!model?.attributeTypeMap) return;  // a scalar, IntOrString, Quantity or free-form object
  for (const [key, v] of Object.entries(value)) {
    const attribute = model.attributeTypeMap.find((a) => a.baseName === key);
    if (!attribute) unknown.push(`${path}.${key}`); else walk(v, attribute.type, `${path}.${key}`, unknown);
  }
}
