using Akka.Event;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace RControl.Security;

/// <summary>An <see cref="ILogger"/> over Akka's log, for an engine started without a host's logger factory.</summary>
internal sealed class AkkaLogger(ILoggingAdapter log) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel switch
    {
        LogLevel.Warning => log.IsWarningEnabled,
        LogLevel.Error or LogLevel.Critical => log.IsErrorEnabled,
        LogLevel.Information => log.IsInfoEnabled,
        LogLevel.None => false,
        _ => log.IsDebugEnabled,
    };

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        switch (logLevel)
        {
            case LogLevel.Warning:
                log.Warning("{0}", text);
                break;
            case LogLevel.Error or LogLevel.Critical:
                log.Error(exception, "{0}", text);
                break;
            case LogLevel.Information:
                log.Info("{0}", text);
                break;
            case LogLevel.None:
                break;
            default:
                log.Debug("{0}", text);
                break;
        }
    }
}
