import { defineMessages } from './define-messages.js';

/** builder/: image builds, registries, the Node.js distribution and base images. */

export const BUILDER_MESSAGES = defineMessages({
  // image names
  imageRefNoName: {
    code: 'Internal',
    message: (p: { subdomain: string }) => `imageRefFor: subdomain ${JSON.stringify(p.subdomain)} has no usable characters`,
  },
  imageRefShortHex: { code: 'Internal', message: (p: { label: string; len: number }) => `imageRefFor: ${p.label} must be at least ${p.len} hex digits` },
  buildContextPathNotRelative: {
    code: 'Internal',
    message: (p: { name: string }) => `Build context file ${JSON.stringify(p.name)} must be a relative path.`,
  },

  // the Docker engine (mapDockerError's messages are in platform-messages.ts)
  imageInUse: { code: 'ImageInUse', message: (p: { image: string }) => `The image ${p.image} is used by a container; remove the container first.` },

  // image builds (BuildError)
  buildStreamBroke: { code: 'BuildFailed', message: (p: { reason: string }) => `The build stream broke: ${p.reason}` },
  buildProducedNoImage: { code: 'BuildFailed', message: (p: { image: string }) => `The build ended without producing ${p.image}.` },
  buildCaBundleUnreadable: {
    code: 'BuildFailed',
    message: (p: { file: string }) => `Cannot read the build CA bundle ${p.file}: set SPACEPORT_BUILD_CA_BUNDLE to a readable PEM file.`,
  },

  // registries
  registryNoHost: { code: 'BadRequest', message: (p: { value: string }) => `SPACEPORT_REGISTRY "${p.value}" has no host.` },
  registryPushFailed: {
    code: 'BuildFailed',
    message: (p: { ref: string; reason: string }) =>
      `Pushing ${p.ref} to the registry failed: ${p.reason}. Fix: check SPACEPORT_REGISTRY and that the engine may push there (a plain-HTTP registry must be an insecure registry of the engine).`,
  },
  registryNoDigest: { code: 'BuildFailed', message: (p: { ref: string }) => `Pushing ${p.ref}: the registry did not report a digest.` },
  registryAnswered: {
    code: 'BuildFailed',
    message: (p: { host: string; status: number; repository: string; tag: string }) => `The registry ${p.host} answered ${p.status} for ${p.repository}:${p.tag}.`,
  },
  registryUnreachable: {
    code: 'BuildFailed',
    message: (p: { host: string; reason: string }) => `The registry ${p.host} is not reachable (${p.reason}). Fix: check SPACEPORT_REGISTRY.`,
  },
  registryImageElsewhere: {
    code: 'Internal',
    message: (p: { image: string; host: string }) => `${p.image} is not an image of the registry ${p.host} (SPACEPORT_REGISTRY / SPACEPORT_REGISTRY_PULL).`,
  },
  registryManifestUnsupported: {
    code: 'BuildFailed',
    message: (p: { image: string; mediaType: string }) => `Cannot read the files of ${p.image} back from the registry: its manifest is ${p.mediaType}.`,
  },
  registryLayerUnsupported: {
    code: 'BuildFailed',
    message: (p: { image: string; digest: string; mediaType: string }) =>
      `Cannot read layer ${p.digest} of ${p.image} back from the registry: it is ${p.mediaType} (only tar and tar+gzip layers are read).`,
  },
  registryBlobMismatch: {
    code: 'BuildFailed',
    message: (p: { image: string; digest: string; got: string }) => `The registry sent other bytes for ${p.digest} of ${p.image} (they hash to ${p.got}).`,
  },
  imageDirMissing: { code: 'BuildFailed', message: (p: { image: string; dir: string }) => `The image ${p.image} has no folder ${p.dir}.` },
  imageFilesTooLarge: {
    code: 'BuildFailed',
    message: (p: { image: string; dir: string; max: number }) => `The files under ${p.dir} of ${p.image} take more than ${p.max} bytes: too large to serve as a static site.`,
  },
  imageHardLinkOutside: {
    code: 'BuildFailed',
    message: (p: { image: string; name: string; link: string }) => `${p.name} in ${p.image} is a hard link to ${p.link}, which is not a file of the folder read.`,
  },
  registryTokenRefused: {
    code: 'BuildFailed',
    message: (p: { host: string; status: number }) => `The registry ${p.host} refused a token (${p.status}). Fix: check SPACEPORT_REGISTRY_USERNAME/PASSWORD.`,
  },

  // the Node.js distribution (static builds)
  nodeRangeUnmatched: {
    code: 'BadRequest',
    message: (p: { range: string; where: string }) =>
      `No Node.js release matches "${p.range}"${p.where}. Use a range that includes a released version, like ">=20" or "22".`,
  },
  npmForNodeMissing: { code: 'BadRequest', message: (p: { node: string }) => `No npm release supports Node.js ${p.node}.` },
  nodeImageNameInvalid: { code: 'BadRequest', message: (p: { image: string }) => `${p.image} is not a Node.js image name (spaceport/node:<node>-npm<npm>).` },
  npmPackagesMissing: {
    code: 'BaseImageFailed',
    message: (p: { nodePackage: string; node: string; npm: string }) => `The npm registry has no ${p.nodePackage}@${p.node} or npm@${p.npm}.`,
  },
  dockerImportFailed: { code: 'BaseImageFailed', message: (p: { image: string; error: string }) => `docker import of ${p.image} failed: ${p.error}` },
  npmRegistryUnreachable: {
    code: 'BaseImageFailed',
    message: (p: { registry: string; reason: string }) => `The npm registry at ${p.registry} is not reachable (${p.reason}).`,
  },
  npmRegistryAnswered: { code: 'BaseImageFailed', message: (p: { status: number; name: string }) => `The npm registry answered ${p.status} for ${p.name}.` },
  npmNoVersions: { code: 'BaseImageFailed', message: (p: { name: string }) => `The npm registry's metadata for ${p.name} has no versions.` },
  tarballAnswered: { code: 'BaseImageFailed', message: (p: { tarball: string; status: number }) => `Downloading ${p.tarball} answered ${p.status}.` },
  tarballChecksumMismatch: {
    code: 'BaseImageFailed',
    message: (p: { tarball: string; algorithm: string; got: string }) => `${p.tarball} does not match the registry's ${p.algorithm} (got ${p.got}).`,
  },
  tarballDownloadFailed: { code: 'BaseImageFailed', message: (p: { tarball: string; reason: string }) => `Downloading ${p.tarball} failed: ${p.reason}` },
  tarballNoChecksum: { code: 'BaseImageFailed', message: (p: { tarball: string }) => `The npm registry gives no checksum for ${p.tarball}.` },

  // base images from Debian packages
  baseImageRefused: { code: 'BaseImageFailed', message: (p: { image: string; problem: string }) => `Cannot build ${p.image}: ${p.problem}.` },
  debootstrapFailed: {
    code: 'BaseImageFailed',
    message: (p: { image: string; exit: number | string | null; mirror: string; lines: string }) =>
      `debootstrap for ${p.image} exited with ${p.exit}; check that ${p.mirror} is reachable (set the mirror or proxy option). Last lines:\n${p.lines}`,
  },
  aptFailed: {
    code: 'BaseImageFailed',
    message: (p: { command: string | undefined; image: string; exit: number | string | null; lines: string }) => `apt-get ${p.command} in ${p.image} failed (${p.exit}):\n${p.lines}`,
  },
  rootfsPackFailed: { code: 'BaseImageFailed', message: (p: { image: string; lines: string }) => `Packing the root filesystem of ${p.image} failed:\n${p.lines}` },
  caBundleUnreadable: {
    code: 'BaseImageFailed',
    message: (p: { file: string }) => `Cannot read the CA bundle ${p.file}: set the CA bundle option to a readable PEM file.`,
  },
});
