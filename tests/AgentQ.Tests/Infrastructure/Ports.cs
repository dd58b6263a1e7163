using System.Globalization;
using AgentFunctions.Testing;

namespace AgentQ.Tests.Infrastructure;

internal static class Ports
{
    /// <summary>A 127.0.0.1 URL nothing listens on.</summary>
    public static string ClosedUrl() => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{LoopbackPorts.Free()}");
}
