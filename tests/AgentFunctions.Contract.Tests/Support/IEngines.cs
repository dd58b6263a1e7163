namespace AgentFunctions.Contract.Tests.Support;

/// <summary>A pair of running engines an <see cref="ApiSession"/> can talk to.</summary>
public interface IEngines
{
    Uri BaseAddress(string engine);

    /// <summary>What an engine logged lately, for a failure message.</summary>
    string Log(string engine);
}
