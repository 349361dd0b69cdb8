using System.CommandLine;
using System.Runtime.InteropServices;
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
        catch (EngineStartException e)
        {
            Console.Error.WriteLine($"rcontrol: error: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>
    /// Invokes exec/run/copy so that Ctrl+C or SIGTERM kills what runs (local process trees, remote process
    /// groups), still prints the results, and exits with status 130. A second Ctrl+C ends the process at once.
    /// </summary>
    public static async Task<int> InvokeCancellableAsync(ParseResult parse)
    {
        using var cts = new CancellationTokenSource();
        void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = !cts.IsCancellationRequested;
            cts.Cancel();
        }

        Console.CancelKeyPress += OnCancelKey;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cts.Cancel();
        });
        try
        {
            var status = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cts.Token).ConfigureAwait(false);
            return cts.IsCancellationRequested && status != ExitCodes.Usage ? ExitCodes.Interrupted : status;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKey;
        }
    }

    /// <summary>Prints a one-line usage error and returns status 2.</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"rcontrol: error: {message.ReplaceLineEndings(" ")}");
        return ExitCodes.Usage;
    }

    /// <summary>
    /// Starts the embedded engine or connects to <c>--daemon</c>, quiet unless <c>--verbose</c> (the engine's log
    /// must not mix with stdout). An unreachable daemon is reported on one line and ends the run with status 1.
    /// </summary>
    public static async Task<CliEngine> StartEngineAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await CliEngine.StartAsync(settings.Daemon, settings.Verbose, cancellationToken, settings.Credential).ConfigureAwait(false);
        }
        catch (Akka.Configuration.ConfigurationException e)
        {
            // e.g. a daemon address that is not loopback without TLS: refused before anything runs.
            throw new UsageException($"--daemon {settings.Daemon}: {e.Message}", e);
        }
        catch (SessionException e)
        {
            throw new EngineStartException(e.Message, e);
        }
    }

    /// <summary>Logs in to the daemon for the job commands; errors as for <see cref="StartEngineAsync"/>.</summary>
    public static async Task<RControl.Remote.RemoteEngine> ConnectAsync(string daemon, bool verbose, string? credential, CancellationToken cancellationToken)
    {
        try
        {
            return await CliEngine.ConnectAsync(daemon, verbose, credential, cancellationToken).ConfigureAwait(false);
        }
        catch (Akka.Configuration.ConfigurationException e)
        {
            throw new UsageException($"--daemon {daemon}: {e.Message}", e);
        }
        catch (SessionException e)
        {
            throw new EngineStartException(e.Message, e);
        }
    }

    /// <summary>
    /// Stdout with a large buffer and no flush per write (Console.Out flushes every write through a 256-char
    /// buffer): the plain view writes batches of lines whole and flushes them itself.
    /// </summary>
    public static StreamWriter StdoutWriter() =>
        new(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { AutoFlush = false };

    /// <summary>The view for the settings: JSON, the live view on a terminal, plain lines otherwise.</summary>
    public static IRunView CreateView(RunSettings settings)
    {
        var gather = settings.Mode == OutputMode.Gather;
        var diff = settings.Mode == OutputMode.Diff;
        if (settings.Mode == OutputMode.Json)
        {
            return new JsonView(Console.Out);
        }

        return settings.Live ?? !Console.IsOutputRedirected
            ? CreateLiveView(gather, diff)
            : new PlainView(StdoutWriter(), Console.Error, gather, diff);
    }

    /// <summary>Apart, so that plain and JSON runs never load Spectre.Console (start-up time).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IRunView CreateLiveView(bool gather, bool diff) => new LiveView(AnsiConsole.Console, gather, diff);
}
