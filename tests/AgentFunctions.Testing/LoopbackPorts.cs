using System.Net;
using System.Net.Sockets;

namespace AgentFunctions.Testing;

/// <summary>Ports on 127.0.0.1 for services a test starts.</summary>
public static class LoopbackPorts
{
    // Below Linux's ephemeral range (32768–60999): a port a test frees and takes again (a server restarted on its own
    // port) cannot meanwhile become the local port of some client's outgoing connection.
    private const int First = 20000;
    private const int Last = 32767;

    /// <summary>A port nothing listens on right now, chosen at random below the ephemeral range and checked by binding it.</summary>
    public static int Free()
    {
        for (var tries = 0; tries < 200; tries++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException($"no free loopback port between {First} and {Last} after 200 tries");
    }
}
