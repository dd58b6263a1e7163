using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

public static class RequestOrigin
{
    /// <summary>scheme://host[:port][pathBase] of the request, the base of every link the API returns.</summary>
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/');
    }
}
