// The resource every span carries. No cloud detector runs by default: upstream's defaults probe the
// GCP metadata server (a network timeout at every start). OTEL_NODE_RESOURCE_DETECTORS opts in; cloud
// detectors are loaded only if the app installed their package.
import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  Resource,
  ResourceDetector,
} from '@opentelemetry/resources';
import type { SdkConfig } from './config';
import type { Logger } from './logger';
import { DISTRO_NAME, DISTRO_VERSION } from './version';

const CLOUD_PACKAGES: Record<string, { pkg: string; exports: string[] }> = {
  alibaba: { pkg: '@opentelemetry/resource-detector-alibaba-cloud', exports: ['alibabaCloudEcsDetector'] },
  aws: { pkg: '@opentelemetry/resource-detector-aws', exports: ['awsEc2Detector', 'awsEcsDetector', 'awsEksDetector', 'awsLambdaDetector', 'awsBeanstalkDetector'] },
  azure: { pkg: '@opentelemetry/resource-detector-azure', exports: ['azureAppServiceDetector', 'azureFunctionsDetector', 'azureVmDetector'] },
  gcp: { pkg: '@opentelemetry/resource-detector-gcp', exports: ['gcpDetector'] },
  container: { pkg: '@opentelemetry/resource-detector-container', exports: ['containerDetector'] },
};

export function buildResource(config: SdkConfig, log: Logger): Resource {
  const names = new Set(config.resourceDetectors.includes('all') ? ['env', 'host', 'os', 'process', 'serviceinstance', ...Object.keys(CLOUD_PACKAGES)] : config.resourceDetectors);
  const detectors: ResourceDetector[] = [];
  if (names.has('host')) detectors.push(hostDetector);
  if (names.has('os')) detectors.push(osDetector);
  if (names.has('process')) detectors.push(processDetector);
  if (names.has('serviceinstance')) detectors.push(serviceInstanceIdDetector);
  for (const [name, spec] of Object.entries(CLOUD_PACKAGES)) {
    if (!names.has(name)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const mod = require(spec.pkg);
      for (const e of spec.exports) if (mod[e]) detectors.push(mod[e]);
    } catch {
      log.warn(`OTEL_NODE_RESOURCE_DETECTORS: "${name}" needs the package ${spec.pkg}, which is not installed; detector skipped`);
    }
  }

  let resource = defaultResource();
  if (detectors.length > 0) resource = resource.merge(detectResources({ detectors }));
  // The env "detector" is our already-validated config: OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME.
  const own: Record<string, string> = { 'telemetry.distro.name': DISTRO_NAME, 'telemetry.distro.version': DISTRO_VERSION };
  if (names.has('env')) Object.assign(own, config.resourceAttributes);
  if (config.serviceName !== undefined) own['service.name'] = config.serviceName;
  return resource.merge(resourceFromAttributes(own));
}
