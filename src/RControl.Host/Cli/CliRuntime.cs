using Akka.Configuration;
using RControl.Host.Cli.Output;
using RControl.Host.Cli.Running;
using Spectre.Console;

namespace RControl.Host.Cli;

/// <summary>What every CLI command shares: error handling and exit statuses, the engine, the choice of view.</summary>
internal static class CliRuntime
{
    /// <summary>Runs a command body: a <see cref="UsageException"/> prints one line on stderr and gives status 2.</summary>
    public static async Task<int> InvokeAsync(Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Usage(e.Message);
        }
    }

    /// <summary>Prints a one-line usage error and returns status 2.</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"rcontrol: error: {message.ReplaceLineEndings(" ")}");
        return ExitCodes.Usage;
    }

    /// <summary>Starts the embedded engine, quiet unless <c>--verbose</c> (the engine's log must not mix with stdout).</summary>
    public static RControlSystem StartEngine(RunSettings settings)
    {
        if (settings.Daemon is not null)
        {
            throw new UsageException($"--daemon {settings.Daemon}: running on a daemon is not available in this build yet");
        }

        var level = settings.Verbose ? "WARNING" : "OFF";
        return RControlSystem.Create(ConfigurationFactory.ParseString($"akka.loglevel = {level}\nakka.stdout-loglevel = {level}"));
    }

    /// <summary>The view for the settings: JSON, the live view on a terminal, plain lines otherwise.</summary>
    public static IRunView CreateView(RunSettings settings)
    {
        var gather = settings.Mode == OutputMode.Gather;
        if (settings.Mode == OutputMode.Json)
        {
            return new JsonView(Console.Out);
        }

        return settings.Live ?? !Console.IsOutputRedirected
            ? new LiveView(AnsiConsole.Console, gather)
            : new PlainView(Console.Out, Console.Error, gather);
    }
}
