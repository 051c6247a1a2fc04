/** The golden cases (test/golden/README.md), shared by the unit and the binary tests. */
export interface GoldenCase {
  readonly golden: string;
  readonly subnetFile: 'subnet.env' | 'subnet-ipmasq-true.env';
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { golden: 'no-options.env', subnetFile: 'subnet.env', args: [], env: {} },
  { golden: 'c-k-DOCKER_NETWORK_OPTIONS.env', subnetFile: 'subnet.env', args: ['-c', '-k', 'DOCKER_NETWORK_OPTIONS'], env: {} },
  { golden: 'i-m.env', subnetFile: 'subnet.env', args: ['-i', '-m'], env: {} },
  { golden: 'i.env', subnetFile: 'subnet.env', args: ['-i'], env: {} },
  { golden: 'c.env', subnetFile: 'subnet.env', args: ['-c'], env: {} },
  { golden: 'c-m.env', subnetFile: 'subnet.env', args: ['-c', '-m'], env: {} },
  { golden: 'ipmasq-true.env', subnetFile: 'subnet-ipmasq-true.env', args: [], env: {} },
  { golden: 'c-with-DOCKER_OPTS-set.env', subnetFile: 'subnet.env', args: ['-c'], env: { DOCKER_OPTS: '-H=unix:///var/run/docker.sock' } },
];

export const goldenUrl = (name: string): URL => new URL(`golden/${name}`, import.meta.url);
