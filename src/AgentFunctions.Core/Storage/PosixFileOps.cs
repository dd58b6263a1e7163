using System.Runtime.InteropServices;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// The POSIX calls .NET does not expose: <c>link</c> (the only atomic create-only publish of a
/// finished file; <see cref="File.Move(string, string, bool)"/> without overwrite checks then renames),
/// <c>fsync</c> of a directory (makes a rename survive power loss) and <c>syncfs</c> (makes everything
/// written to one filesystem durable in one call). Resolved from the symbols the process already has
/// loaded, so no library name has to be guessed per platform.
/// </summary>
internal static class PosixFileOps
{
    private const int ReadOnly = 0; // O_RDONLY is 0 on Linux and the BSDs/macOS.

    private static readonly Lazy<Functions?> Loaded = new(Load);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int LinkFunction(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string existingPath,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int OpenFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int DescriptorFunction(int descriptor);

    /// <summary>True on Unix-like systems where the calls could be resolved.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Creates a hard link; false with the errno when the call fails (EEXIST when the name is taken).</summary>
    public static bool TryLink(string existingPath, string newPath, out int errno)
    {
        var functions = Loaded.Value ?? throw new PlatformNotSupportedException("link(2) is not available on this platform.");
        if (functions.Link(existingPath, newPath) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>fsync(2) of a directory, so that entries renamed into it are durable.</summary>
    public static void SyncDirectory(string directory)
    {
        var functions = Loaded.Value ?? throw new PlatformNotSupportedException("fsync(2) is not available on this platform.");
        var descriptor = functions.Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (functions.Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush directory '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = functions.Close(descriptor);
        }
    }

    /// <summary>
    /// Flushes every write made so far to the filesystem holding <paramref name="directory"/>: syncfs(2)
    /// where the C library has it (Linux), else sync(2), which flushes all filesystems.
    /// </summary>
    public static void SyncFileSystem(string directory)
    {
        var functions = Loaded.Value ?? throw new PlatformNotSupportedException("syncfs(2) is not available on this platform.");
        if (functions.SyncFs is null)
        {
            functions.Sync();
            return;
        }

        var descriptor = functions.Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to flush its filesystem (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (functions.SyncFs(descriptor) != 0)
            {
                throw new IOException($"Could not flush the filesystem of '{directory}' to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = functions.Close(descriptor);
        }
    }

    private static Functions? Load()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        // dlsym on the main program handle searches the global scope, which includes the C library.
        var process = NativeLibrary.GetMainProgramHandle();
        if (!NativeLibrary.TryGetExport(process, "link", out var link)
            || !NativeLibrary.TryGetExport(process, "open", out var open)
            || !NativeLibrary.TryGetExport(process, "fsync", out var fsync)
            || !NativeLibrary.TryGetExport(process, "close", out var close)
            || !NativeLibrary.TryGetExport(process, "sync", out var sync))
        {
            return null;
        }

        var syncFs = NativeLibrary.TryGetExport(process, "syncfs", out var found) ? Marshal.GetDelegateForFunctionPointer<DescriptorFunction>(found) : null;

        return new Functions(
            Marshal.GetDelegateForFunctionPointer<LinkFunction>(link),
            Marshal.GetDelegateForFunctionPointer<OpenFunction>(open),
            Marshal.GetDelegateForFunctionPointer<DescriptorFunction>(fsync),
            Marshal.GetDelegateForFunctionPointer<DescriptorFunction>(close),
            Marshal.GetDelegateForFunctionPointer<SyncFunction>(sync),
            syncFs);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SyncFunction();

    private sealed record Functions(LinkFunction Link, OpenFunction Open, DescriptorFunction Fsync, DescriptorFunction Close, SyncFunction Sync, DescriptorFunction? SyncFs);
}
