/**
 * The kubeconfig a cluster writes about itself (YAML by hand: no YAML library at startup): its
 * https URL, the authority its certificate is verified against, and its token.
 */
export function kubeconfigYaml(server: string, caPem: string, token: string, name = "ko", namespace = "default"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}`,
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
    // Quoted: a token of digits alone would otherwise read as a number.
    `    token: ${JSON.stringify(token)}`,
    "preferences: {}",
    "",
  ].join("\n");
}
