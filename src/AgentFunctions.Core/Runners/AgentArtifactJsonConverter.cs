using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Reads and writes <see cref="AgentArtifact"/> as <c>{ name, content, encoding, contentType }</c>. The content of a
/// base64 artifact goes from the JSON text straight to bytes (through a pooled buffer), never through a string; on
/// the way out the bytes are written as base64. Property names match case-insensitively, unknown ones are skipped,
/// as the contract dialect (<see cref="Json.CoreJson"/>) reads every other record.
/// </summary>
public sealed class AgentArtifactJsonConverter : JsonConverter<AgentArtifact>
{
    public override AgentArtifact Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an artifact must be a JSON object { \"name\", \"content\", \"encoding\" }");
        }

        string? name = null;
        string encoding = "utf-8";
        string? contentType = null;
        byte[]? content = null;
        var contentLength = 0;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var property = reader.GetString();
                reader.Read();
                if (Is(property, "name"))
                {
                    name = ReadString(ref reader, "name");
                }
                else if (Is(property, "encoding"))
                {
                    encoding = ReadString(ref reader, "encoding") ?? "utf-8";
                }
                else if (Is(property, "contentType"))
                {
                    contentType = ReadString(ref reader, "contentType");
                }
                else if (Is(property, "content"))
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("an artifact's content must be a string");
                    }

                    if (content is not null)
                    {
                        ArrayPool<byte>.Shared.Return(content);
                    }

                    // Unescaped UTF-8 is never longer than the escaped token.
                    content = ArrayPool<byte>.Shared.Rent(checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length)));
                    contentLength = CopyString(ref reader, content);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (name is null || content is null)
            {
                throw new JsonException(name is null ? "an artifact needs a \"name\"" : $"the artifact '{name}' needs a \"content\"");
            }

            var utf8 = content.AsSpan(0, contentLength);
            if (string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase)
                && Base64.DecodeFromUtf8InPlace(utf8, out var decoded) == OperationStatus.Done)
            {
                return AgentArtifact.FromBytes(name, utf8[..decoded].ToArray(), contentType) with { Encoding = encoding };
            }

            // Text, or base64 this decoder does not take (whitespace inside, or not base64 at all): kept as text, so
            // GetBytes decodes it as before or reports the bad base64 where the result is checked.
            return new AgentArtifact { Name = name, Content = Encoding.UTF8.GetString(utf8), Encoding = encoding, ContentType = contentType };
        }
        finally
        {
            if (content is not null)
            {
                ArrayPool<byte>.Shared.Return(content);
            }
        }
    }

    public override void Write(Utf8JsonWriter writer, AgentArtifact value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("name", value.Name);
        if (value.HoldsBytes)
        {
            writer.WriteBase64String("content", value.GetBytes());
        }
        else
        {
            writer.WriteString("content", value.Content);
        }

        writer.WriteString("encoding", value.Encoding);
        writer.WriteString("contentType", value.ContentType);
        writer.WriteEndObject();
    }

    private static bool Is(string? property, string name) => string.Equals(property, name, StringComparison.OrdinalIgnoreCase);

    private static string? ReadString(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"an artifact's {property} must be a string"),
    };

    private static int CopyString(ref Utf8JsonReader reader, byte[] destination)
    {
        try
        {
            return reader.CopyString(destination);
        }
        catch (InvalidOperationException ex)
        {
            // An escaped lone surrogate (\uD800) cannot become UTF-8.
            throw new JsonException("an artifact's content is not valid text: " + ex.Message, ex);
        }
    }
}
