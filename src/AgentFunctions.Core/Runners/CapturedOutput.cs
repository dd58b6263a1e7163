using System.Buffers;
using System.Text;

namespace AgentFunctions.Core.Runners;

/// <summary>The first bytes of an output stream, and how many bytes the stream carried in all.</summary>
internal sealed record CapturedOutput(byte[] Bytes, long TotalBytes)
{
    public static CapturedOutput Empty { get; } = new([], 0);

    public bool Truncated => TotalBytes > Bytes.Length;

    /// <summary>The kept bytes as UTF-8; a character cut in half by the cap is dropped rather than mangled.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes, 0, Truncated ? CompleteUtf8Length(Bytes) : Bytes.Length);

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, keeping the first <paramref name="maxBytes"/> bytes and
    /// draining the rest, so a chatty program never blocks on a full pipe. Cancellation or a broken
    /// stream ends the read with what arrived so far.
    /// </summary>
    public static async Task<CapturedOutput> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var kept = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                var room = maxBytes - (int)kept.Length;
                if (room > 0)
                {
                    kept.Write(buffer, 0, Math.Min(read, room));
                }

                total += read;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The program is gone or we stopped waiting for it: what arrived is the output.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new CapturedOutput(kept.ToArray(), total);
    }

    /// <summary>The length of <paramref name="bytes"/> without a trailing incomplete UTF-8 sequence.</summary>
    internal static int CompleteUtf8Length(byte[] bytes)
    {
        var end = bytes.Length;
        // A UTF-8 character is at most 4 bytes: look back over up to 3 continuation bytes for its lead byte.
        for (var i = end - 1; i >= 0 && i >= end - 4; i--)
        {
            var b = bytes[i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b switch
            {
                < 0x80 => 1,
                >= 0xF0 => 4,
                >= 0xE0 => 3,
                >= 0xC0 => 2,
                _ => 1,
            };
            return end - i >= needed ? end : i;
        }

        return end;
    }
}
