/** The kubeconfig a cluster writes about itself (YAML by hand: no YAML library at startup). */
export function kubeconfigYaml(server: string, name = "ko", namespace = "default"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    // client-node refuses plain http unless TLS verification is explicitly skipped.
    "    insecure-skip-tls-verify: true",
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: ${name}`,
    `    namespace: ${namespace}`,
    `current-context: ${name}`,
    "users:",
    `- name: ${name}`,
    "  user:",
    "    token: ko-simulated-cluster",
    "preferences: {}",
    "",
  ].join("\n");
}
