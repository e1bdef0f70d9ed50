// Package atomicfile writes whole files so that a crash or a concurrent
// writer never leaves a torn or empty file behind.
//
// Both functions write the data to a new temporary file with a unique name
// in the target's folder (so the final step is a rename or link within one
// file system), set its permission bits, fsync it, put it in place and
// fsync the folder so the new directory entry is durable too. On any error
// the temporary file is removed and the target is untouched.
//
//   - Write replaces the target if it exists (rename).
//   - Create never replaces an existing target (hard link, which fails if
//     the name is taken); it returns an error wrapping fs.ErrExist then.
//
// Concurrent writers of one path do not interfere: each has its own
// temporary file, and the last rename wins with a complete file.
package atomicfile
