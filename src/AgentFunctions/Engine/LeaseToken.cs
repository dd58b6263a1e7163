using System.Buffers.Text;
using System.Text;

namespace AgentFunctions.Engine;

/// <summary>
/// A lease id: the queue message id and its pop receipt, base64url-encoded so it is opaque and URL-safe.
/// The pop receipt changes with every visibility update, so a heartbeat hands out a new lease id.
/// </summary>
public static class LeaseToken
{
    public static string Encode(string messageId, string popReceipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(messageId + "\n" + popReceipt));
    }

    public static bool TryDecode(string? leaseId, out string messageId, out string popReceipt)
    {
        messageId = popReceipt = string.Empty;
        if (string.IsNullOrEmpty(leaseId))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(leaseId));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return false;
        }

        var split = text.IndexOf('\n', StringComparison.Ordinal);
        if (split <= 0 || split == text.Length - 1)
        {
            return false;
        }

        messageId = text[..split];
        popReceipt = text[(split + 1)..];
        return true;
    }
}
