using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace AgentFunctions.Api.Http;

/// <summary>
/// Finds JSON text that cannot become a .NET string: invalid UTF-8 bytes, or a <c>\uD800</c>-<c>\uDFFF</c> escape
/// without its other half. JSON parsing lets both through; reading such a string later throws, which would make a
/// bad request look like a server failure.
/// </summary>
internal static class JsonUnicode
{
    /// <summary>Why the (syntactically valid) JSON has text that is not Unicode, naming where; null when all is well.</summary>
    public static string? Explain(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonBody.MaxDepth });
        string? property = null;
        byte[]? scratch = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                var problem = Check(ref reader, ref scratch);
                if (problem is not null)
                {
                    var where = reader.TokenType == JsonTokenType.PropertyName
                        ? property is null ? "a property name" : $"a property name after '{property}'"
                        : property is null ? "a string" : $"the value of '{property}'";
                    return $"{where} {problem}";
                }

                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        return null;
    }

    private static string? Check(ref Utf8JsonReader reader, ref byte[]? scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            // The common case, checked in place: no copy of a large value.
            return Utf8.IsValid(reader.ValueSpan) ? null : "is not valid UTF-8";
        }

        if (scratch is null || scratch.Length < reader.ValueSpan.Length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        }

        try
        {
            // Unescaping validates both the raw bytes and the escapes.
            reader.CopyString(scratch);
            return null;
        }
        catch (InvalidOperationException)
        {
            return "is not valid Unicode (invalid UTF-8, or a \\u escape that is half of a surrogate pair)";
        }
    }
}
