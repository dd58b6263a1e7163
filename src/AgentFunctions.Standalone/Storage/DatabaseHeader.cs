using System.Buffers.Binary;
using System.Globalization;

namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// Reads the 100-byte header of an SQLite file (https://www.sqlite.org/fileformat2.html#the_database_header) to tell,
/// in microseconds whatever the size, whether the file is shorter than the pages its header counts: the damage a
/// copy cut short or a full disk leaves. <c>PRAGMA quick_check</c> finds that and more, but reads every page.
/// </summary>
public static class DatabaseHeader
{
    private const int Length = 100;

    private const int LogHeaderLength = 32;

    /// <summary>
    /// Why the file is cut short, or null when it is as long as its header says, has no header to go by, or has a
    /// write-ahead log that may hold the pages past its end.
    /// </summary>
    public static string? ExplainTruncation(string path)
    {
        // A checkpoint killed midway has written page 1, with the new page count, before the pages past the old end.
        // The log still holds those: SQLite reads them from it and finishes the checkpoint later. So only a file with
        // no log frames to finish from is cut short for good; PRAGMA quick_check still reads every page either way.
        if (new FileInfo(path + "-wal") is { Exists: true, Length: > LogHeaderLength })
        {
            return null;
        }

        var header = new byte[Length];
        long fileLength;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            fileLength = file.Length;
            if (file.ReadAtLeast(header, Length, throwOnEndOfStream: false) < Length || !header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
            {
                // Not an SQLite file at all: opening it says so in SQLite's words.
                return null;
            }
        }

        var rawPageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        long pageSize = rawPageSize == 1 ? 65536 : rawPageSize;
        var changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24));
        long pages = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        var versionValidFor = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(92));

        // SQLite trusts the header's page count only when it is non-zero and written by the same change as the
        // counter; otherwise it goes by the file's size, and so does this check (there is nothing to compare with).
        if (pages == 0 || changeCounter != versionValidFor || pageSize < 512)
        {
            return null;
        }

        var expected = pages * pageSize;
        return fileLength < expected
            ? string.Create(CultureInfo.InvariantCulture, $"the file is {fileLength} bytes, but its header counts {pages} pages of {pageSize} bytes ({expected}): it was cut short")
            : null;
    }
}
