import { describe, expect, it } from 'vitest';
import { parseNetworkConfig } from './network-config.js';
import { serializeNetworkConfig } from './serialize.js';

describe('serializeNetworkConfig', () => {
  it('writes the defaulted config in flannel’s field order, without Backend when absent', () => {
    expect(serializeNetworkConfig(parseNetworkConfig('{"network":"10.1.2.3/16"}'))).toBe(
      '{"Network":"10.1.0.0/16","SubnetMin":"10.1.1.0","SubnetMax":"10.1.255.0","SubnetLen":24}',
    );
  });

  it('writes Backend as given and Networks only when present', () => {
    const text = '{"Networks":["10.1.0.0/16"],"Backend":{"type":"vxlan","VNI":7},"Network":"10.1.0.0/16"}';
    expect(serializeNetworkConfig(parseNetworkConfig(text))).toBe(
      '{"Network":"10.1.0.0/16","SubnetMin":"10.1.1.0","SubnetMax":"10.1.255.0","SubnetLen":24,' +
        '"Backend":{"type":"vxlan","VNI":7},"Networks":["10.1.0.0/16"]}',
    );
  });

  it('is read back unchanged', () => {
    const cfg = parseNetworkConfig(
      '{"Network":"10.1.0.0/20","SubnetLen":26,"SubnetMax":"10.1.8.0","Backend":{"Type":"host-gw"}}',
    );
    expect(parseNetworkConfig(serializeNetworkConfig(cfg))).toEqual(cfg);
  });
});
