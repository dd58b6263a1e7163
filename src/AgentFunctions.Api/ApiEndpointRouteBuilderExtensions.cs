using AgentFunctions.Api.Dashboard;
using AgentFunctions.Api.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentFunctions.Api;

public static class ApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Every feature's routes under <c>/api</c>, each mapped beside its handlers: what an ASP.NET Core host serves
    /// (the Standalone server, and the test host of the Functions engine). A new feature adds its Map… here once.
    /// </summary>
    public static IEndpointRouteBuilder MapAgentFunctionsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapTaskApi();
        app.MapHistoryApi();
        app.MapDeadLetterApi();
        app.MapWorkerApi();
        app.MapOperationsApi();
        app.MapRoleApi();
        app.MapDurableApi();
        app.MapAccessApi();
        app.MapDashboard();
        return app;
    }
}
