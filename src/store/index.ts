/** store/: crash-safe files and the checksummed snapshot container. See FORMAT.md beside this file. */
export { writeFileAtomic, readFileBytes, removeStaleTempFiles } from './atomic-file.js';
export { ContainerFileWriter } from './container-writer.js';
export { ContainerFileReader, type SectionHead } from './container-file-reader.js';
export { type Section, encodeContainer, decodeContainer, requireSection, sectionId, sectionName, CONTAINER_VERSION } from './container.js';
export { crc32c } from './crc32c.js';
