export interface MetadataIdentity {
  readonly project: string;
  readonly projectNumber: string;
  readonly zone: string;
  readonly instance: string;
  readonly network: string;
  readonly token: string;
}

export interface MetadataAnswer {
  readonly call: string;
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/**
 * The GCE metadata server as seen from one instance: what flannel reads and what google-auth-library
 * asks (the probe of `instance`, the universe domain, the service account's token). A request
 * without `Metadata-Flavor: Google` is refused, as the real server does.
 */
export function answerMetadata(path: string, flavor: string | undefined, id: MetadataIdentity): MetadataAnswer {
  const key = path.replace(/^\/computeMetadata\/v1\/?/, '').replace(/\/$/, '');
  const call = `metadata ${key}`;
  if (flavor !== 'Google') return { call, status: 403, body: 'Missing required header: Metadata-Flavor', contentType: 'text/plain' };
  const text = (body: string) => ({ call, status: 200, body, contentType: 'application/text' });
  switch (key) {
    case 'project/project-id':
      return text(id.project);
    case 'project/numeric-project-id':
      return text(id.projectNumber);
    case 'instance':
      return text('attributes/\nhostname\nid\nname\nnetwork-interfaces/\nservice-accounts/\nzone\n');
    case 'instance/zone':
      return text(`projects/${id.projectNumber}/zones/${id.zone}`);
    case 'instance/hostname':
      return text(`${id.instance}.${id.zone}.c.${id.project}.internal`);
    case 'instance/name':
      return text(id.instance);
    case 'instance/network-interfaces/0/network':
      return text(`projects/${id.projectNumber}/networks/${id.network}`);
    case 'instance/service-accounts/default/email':
      return text(`${id.projectNumber}-compute@developer.gserviceaccount.com`);
    case 'instance/service-accounts/default/token':
      return { call, status: 200, body: JSON.stringify({ access_token: id.token, expires_in: 3599, token_type: 'Bearer' }), contentType: 'application/json' };
    case 'universe/universe-domain':
      return text('googleapis.com');
    default:
      return { call, status: 404, body: 'Not Found', contentType: 'text/plain' };
  }
}
