/**
 * What `skiff up` prints once the cluster is up: where the kubeconfig is and
 * the commands to use the cluster, reach into a node, and remove it.
 */
import { DEFAULT_PREFIX } from './names.ts';
import type { ClusterState } from './cluster-state.ts';
import { ECHO_IMAGE } from './images/sample-images.ts';

/** The data dir `skiff up` and `skiff down` use unless told otherwise. */
export const DEFAULT_DATA_DIR = '/var/lib/skiff/local';

/** The `skiff down` command line for this cluster, with only the non-default flags (pure). */
export function downCommand(prefix: string, dataDir: string): string {
  return [
    'npx skiff down',
    ...(prefix !== DEFAULT_PREFIX ? [`--prefix ${prefix}`] : []),
    ...(dataDir !== DEFAULT_DATA_DIR ? [`--data-dir ${dataDir}`] : []),
  ].join(' ');
}

/** The lines printed after a successful `skiff up` (pure). */
export function nextSteps(s: ClusterState): string[] {
  const first = s.nodes[0];
  const netns = first ? first.netns : `${s.prefix}-n1`;
  const nodeList = s.nodes.map((n) => `${n.name} ${n.ip} (netns ${n.netns})`).join(', ');
  return [
    `Local cluster "${s.prefix}" is up: ${nodeList}`,
    `API server ${s.serverUrl}, registry ${s.registry}, state in ${s.dataDir}/cluster.json`,
    '',
    `Kubeconfig: ${s.kubeconfig}`,
    '',
    'Next steps:',
    `  export KUBECONFIG=${s.kubeconfig}`,
    '  kubectl get nodes -o wide',
    ...(s.sampleServiceIp
      ? [
          '  kubectl get deployment,service,pods -o wide  # the sample app: one echo pod per node',
          `  nsenter --net=/run/netns/${netns} curl -s http://${s.sampleServiceIp}/   # its service IP, from node ${first?.name ?? 'n1'}`,
          '  kubectl scale deployment echo --replicas=4   # more pods behind the same service IP',
        ]
      : []),
    `  kubectl run hello --image=${s.registry}/${ECHO_IMAGE} --port=8080`,
    '  kubectl get pod hello -o wide                 # its pod IP, and the node it runs on',
    `  nsenter --net=/run/netns/${netns} curl -s http://POD_IP:8080/   # from inside node ${first?.name ?? 'n1'}`,
    `  ip netns exec ${netns} sh                     # a quick shell in that node's network`,
    '',
    `Logs: ${s.dataDir}/server.log, ${s.dataDir}/nodes/<node>/agent.log and dockerd.log`,
    `Remove everything: ${downCommand(s.prefix, s.dataDir)}`,
  ];
}
