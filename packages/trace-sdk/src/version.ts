export const DISTRO_NAME = '@org/trace';
// Kept in step with package.json by the release process (a test asserts they match).
export const DISTRO_VERSION = '0.1.0';
