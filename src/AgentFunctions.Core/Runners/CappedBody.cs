using System.Text;

namespace AgentFunctions.Core.Runners;

/// <summary>An HTTP response body read up to a cap; <see cref="TooLarge"/> when the server sent more.</summary>
internal sealed record CappedBody(byte[] Bytes, bool TooLarge, Encoding Encoding)
{
    public string Text => Encoding.GetString(Bytes);
}
