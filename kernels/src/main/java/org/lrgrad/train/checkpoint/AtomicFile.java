package org.lrgrad.train.checkpoint;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Replaces a file only with complete content, and writes nowhere else but a file it has just created.
 *
 * <ol>
 *   <li>The content goes to a new temporary file in the target's folder, {@code .<name>.<16 random hex digits>.tmp},
 *       created exclusively: creation fails if anything exists at that name, a symbolic link included, so a link
 *       planted in the folder is never followed, and the name cannot be guessed in advance. It is readable and
 *       writable by its owner only (where the file system has POSIX permissions).
 *   <li>The content is synced to the storage device, then the file is renamed over the target. On POSIX file systems
 *       (Linux, Android, macOS) the rename is atomic and replaces a link at the target, not what it points to, so a
 *       reader, or a process restarted after a crash, sees the previous file or the new one, complete.
 *   <li>The folder is synced, so that the rename itself survives a power loss.
 * </ol>
 *
 * <p>Concurrent writes to one target (threads or processes) each write their own temporary file and rename it whole:
 * the target is always one writer's complete content, the last one renamed.
 *
 * <p>Where the platform lacks a part: the exclusive creation with owner-only permissions and the folder sync use
 * {@code java.nio.file}, present on every desktop JVM and on Android from API level 26, and looked up at run time
 * because this code must also load on API level 24. Without it (Android 24 and 25) the temporary file is created
 * exclusively by {@link File#createNewFile}, restricted with {@link File#setReadable}/{@link File#setWritable}, and
 * then opened by its name; the folder is not synced, so after a power loss right after the rename the file system may
 * still show the previous file, which is complete. On a file system without POSIX permissions (Windows, FAT) the
 * file gets the folder's default permissions; where a folder cannot be opened (Windows) it is not synced.
 *
 * <p>A process killed during a write leaves its temporary file behind; it is never read, and a later write never
 * touches it (it may be deleted by hand).
 */
final class AtomicFile {
  static final String TEMP_SUFFIX = ".tmp";
  /** Names tried before giving up: a clash with 64 random bits means someone is planting files at those names. */
  private static final int ATTEMPTS = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Writes the content of a file. */
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFile() {}

  /**
   * Writes {@code content} to {@code target}, replacing it atomically. When anything fails (the content throws, the
   * device is full, the rename is refused) the exception propagates, the temporary file is deleted, and
   * {@code target} is as it was. Only a failure to sync the folder comes after the rename: it propagates too, with
   * {@code target} holding the new content, which a power loss might then undo.
   */
  static void write(File target, Content content) throws IOException {
    File file = target.getAbsoluteFile();
    write(file, content, randomNames(file.getName()), Nio.AVAILABLE);
  }

  /**
   * As {@link #write(File, Content)}, with the temporary file's name the first of {@code tempNames} that is free, and
   * with {@code java.nio.file} or (as on Android 24 and 25) without it.
   */
  static void write(File target, Content content, Iterator<String> tempNames, boolean nio) throws IOException {
    File file = target.getAbsoluteFile();
    File folder = file.getParentFile();
    if (folder == null) {
      throw new FileNotFoundException("cannot write " + file + ": it is a root, not a file; nothing was written");
    }
    if (!folder.isDirectory()) {
      // Said here, naming the target: creating the temporary file would fail naming only the temporary name.
      throw new FileNotFoundException("cannot write " + file + ": its folder " + folder + (folder.exists()
          ? " is not a folder" : " does not exist or cannot be reached") + "; nothing was written");
    }
    File temp = null;
    FileChannel channel = null;
    for (int attempt = 0; channel == null; attempt++) {
      if (attempt == ATTEMPTS || !tempNames.hasNext()) {
        throw new IOException("cannot create a temporary file for " + file + ": " + attempt + " names in " + folder
            + " were taken (is something creating files there?); " + file + " was left as it was");
      }
      temp = new File(folder, tempNames.next());
      channel = nio ? Nio.createNew(temp) : createNewByName(temp);
    }
    // From here on, temp is this write's own file.
    boolean renamed = false;
    try {
      try (OutputStream out = Channels.newOutputStream(channel)) {
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
      if (!temp.renameTo(file)) {
        throw new IOException("cannot rename " + temp + " to " + file + " (is " + file + " a folder?); " + file
            + " was left as it was");
      }
      renamed = true;
    } finally {
      if (!renamed) {
        channel.close();
        temp.delete();
      }
    }
    if (nio) {
      Nio.syncFolder(folder);
    }
  }

  /**
   * Android 24 and 25: exclusive creation, owner-only permissions, then an open by name (which would follow a link
   * put there in between by someone allowed to delete this process's files from the folder); null if the name is
   * taken.
   */
  private static FileChannel createNewByName(File temp) throws IOException {
    if (!temp.createNewFile()) {
      return null;
    }
    try {
      // Every permission for everyone off, then read and write for the owner on; failures mean no POSIX permissions.
      temp.setReadable(false, false);
      temp.setWritable(false, false);
      temp.setExecutable(false, false);
      temp.setReadable(true, true);
      temp.setWritable(true, true);
      return new FileOutputStream(temp).getChannel();
    } catch (IOException | RuntimeException e) {
      temp.delete();
      throw e;
    }
  }

  /** {@code .<name>.<16 hex digits>.tmp}, from a cryptographic generator. */
  static Iterator<String> randomNames(String name) {
    return new Iterator<String>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public String next() {
        return "." + name + "." + String.format("%016x", RANDOM.nextLong()) + TEMP_SUFFIX;
      }
    };
  }

  /**
   * {@code java.nio.file}, reached through reflection: this class is loaded on Android API level 24, where the
   * package does not exist, and the build checks that it links against that API level.
   */
  private static final class Nio {
    static final boolean AVAILABLE;
    private static final Method TO_PATH;
    private static final Method OPEN;
    private static final Set<Object> CREATE_NEW_WRITE = new HashSet<>();
    private static final Set<Object> READ = new HashSet<>();
    private static final Object OWNER_ONLY;
    private static final Object NO_ATTRIBUTES;
    private static final Class<?> ALREADY_EXISTS;

    static {
      Method toPath = null;
      Method open = null;
      Object ownerOnly = null;
      Object noAttributes = null;
      Class<?> alreadyExists = null;
      try {
        Class<?> path = Class.forName("java.nio.file.Path");
        Class<?> attribute = Class.forName("java.nio.file.attribute.FileAttribute");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Enum> options = (Class<Enum>) Class.forName("java.nio.file.StandardOpenOption");
        Class<?> permissions = Class.forName("java.nio.file.attribute.PosixFilePermissions");
        toPath = File.class.getMethod("toPath");
        noAttributes = Array.newInstance(attribute, 0);
        open = FileChannel.class.getMethod("open", path, Set.class, noAttributes.getClass());
        addOption(CREATE_NEW_WRITE, options, "CREATE_NEW");
        addOption(CREATE_NEW_WRITE, options, "WRITE");
        addOption(READ, options, "READ");
        Object rwOwner = permissions.getMethod("fromString", String.class).invoke(null, "rw-------");
        ownerOnly = Array.newInstance(attribute, 1);
        Array.set(ownerOnly, 0, permissions.getMethod("asFileAttribute", Set.class).invoke(null, rwOwner));
        alreadyExists = Class.forName("java.nio.file.FileAlreadyExistsException");
      } catch (ReflectiveOperationException | LinkageError e) {
        open = null;
      }
      AVAILABLE = open != null;
      TO_PATH = toPath;
      OPEN = open;
      OWNER_ONLY = ownerOnly;
      NO_ATTRIBUTES = noAttributes;
      ALREADY_EXISTS = alreadyExists;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addOption(Set<Object> set, Class<Enum> options, String name) {
      set.add(Enum.valueOf(options, name));
    }

    /** The new file {@code temp}, owner-only where permissions exist, open for writing; null if the name is taken. */
    static FileChannel createNew(File temp) throws IOException {
      Object path = invoke(TO_PATH, temp);
      FileChannel channel;
      try {
        channel = (FileChannel) invoke(OPEN, null, path, CREATE_NEW_WRITE, OWNER_ONLY);
      } catch (UnsupportedOperationException e) {
        // No POSIX permissions on this file system (Windows, FAT): its defaults apply.
        channel = (FileChannel) invoke(OPEN, null, path, CREATE_NEW_WRITE, NO_ATTRIBUTES);
      } catch (IOException e) {
        if (ALREADY_EXISTS.isInstance(e)) {
          return null;
        }
        throw e;
      }
      return channel;
    }

    /** Syncs the folder's entries (the rename) to the device, where a folder can be opened; else nothing. */
    static void syncFolder(File folder) throws IOException {
      FileChannel channel;
      try {
        channel = (FileChannel) invoke(OPEN, null, invoke(TO_PATH, folder), READ, NO_ATTRIBUTES);
      } catch (IOException e) {
        return; // Windows cannot open a folder; its file systems order the rename themselves.
      }
      try {
        channel.force(true);
      } finally {
        channel.close();
      }
    }

    /** Calls {@code method}, rethrowing what it throws as it is. */
    private static Object invoke(Method method, Object target, Object... args) throws IOException {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException) {
          throw (IOException) cause;
        }
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw new IllegalStateException(cause);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
