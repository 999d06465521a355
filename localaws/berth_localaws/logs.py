"""CloudWatch Logs, where moto differs from AWS in ways reading a container's logs depends on.

- FilterLogEvents: moto ignores `logStreamNamePrefix` (it searches every stream of the group); here
  only the streams whose names start with it are searched (none matching: no events). As AWS does,
  `logStreamNames` together with `logStreamNamePrefix` is refused (InvalidParameterException; the
  message is this emulator's, AWS's exact text is not known here), and so are more than 100 or
  zero `logStreamNames` (AWS's "1 validation error detected" text). `logGroupIdentifier` (a name
  or a log group ARN) is taken instead of `logGroupName`, not both.
- FilterLogEvents order: moto sorts the events by time only when the deprecated `interleaved` is
  true, else it returns one stream after another; AWS always interleaves. Here the events are
  always sorted by timestamp, then by ingestion order (moto's event ids count up as events are put).
- GetLogEvents: moto's tokens lose the first event of a stream that was empty when first read
  (following a new stream from its tail then skips its first line) and a backward page's forward
  token skips one event; its `endTime` is inclusive where AWS's is exclusive. Here a token is the
  position between two events: `f/N` reads forward from event N, `b/N` backward from before event
  N; a forward read past the end returns no events and the same forward token (so a follower asks
  again with it), as AWS does. `startFromHead=false` (the default) with `limit` returns the last
  `limit` events, oldest first, as on AWS.
"""

import json

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.models import LogGroup, LogStream
from moto.logs.responses import LogsResponse

from .patching import patch, require

MAX_STREAM_NAMES = 100
BOTH_NAMES_AND_PREFIX = "logStreamNames and logStreamNamePrefix cannot both be specified."


def _group_name(response):
    """The log group a request names by `logGroupName` or `logGroupIdentifier` (name or ARN)."""
    name = response._get_param("logGroupName")
    identifier = response._get_param("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if identifier is not None and identifier.startswith("arn:"):
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME, possibly ending in :*
        name = identifier.split(":log-group:", 1)[-1]
        name = name[:-2] if name.endswith(":*") else name
    elif identifier is not None:
        name = identifier
    return name


def _java_list(items):
    return "[" + ", ".join(items) + "]"


def _filter_log_events(_original):
    """The request's streams are chosen here (by names, or by prefix); the group searches only
    those (`log_stream_names` None: all of them)."""

    def filter_log_events(self):
        group_name = _group_name(self)
        names = self._get_param("logStreamNames")
        prefix = self._get_param("logStreamNamePrefix")
        if names is not None and prefix is not None:
            raise InvalidParameterException(BOTH_NAMES_AND_PREFIX)
        if names is not None and not 1 <= len(names) <= MAX_STREAM_NAMES:
            bound = f"less than or equal to {MAX_STREAM_NAMES}" if names else "greater than or equal to 1"
            raise InvalidParameterException(
                constraint=f"Member must have length {bound}", parameter="logStreamNames", value=_java_list(names)
            )
        if prefix is not None:
            group = self.logs_backend.groups.get(group_name)
            if group is None:
                raise ResourceNotFoundException()
            names = [name for name in group.streams if name.startswith(prefix)]
        events, next_token, searched = self.logs_backend.filter_log_events(
            group_name,
            names,
            self._get_param("startTime"),
            self._get_param("endTime"),
            self._get_param("limit"),
            self._get_param("nextToken"),
            self._get_param("filterPattern"),
            True,
        )
        return json.dumps({"events": events, "nextToken": next_token, "searchedLogStreams": searched})

    return filter_log_events


def _interleaved(_original):
    def filter_log_events(self, log_group_name, log_stream_names, start_time, end_time, limit, next_token, filter_pattern, interleaved):
        limit = limit or 10000
        streams = [
            stream for name, stream in self.streams.items() if log_stream_names is None or name in log_stream_names
        ]
        events = []
        for stream in streams:
            events += stream.filter_log_events(start_time, end_time, filter_pattern)
        events.sort(key=lambda event: (event["timestamp"], int(event["eventId"])))

        first = 0
        if next_token:
            try:
                group, stream_name, event_id = next_token.split("@")
                if group != log_group_name:
                    raise ValueError()
                first = next(
                    i for i, e in enumerate(events) if e["logStreamName"] == stream_name and e["eventId"] == event_id
                ) + 1
            except (ValueError, StopIteration):
                events = []  # AWS answers an unknown token with no events (as moto does)
        page = events[first:first + limit]
        token = None
        if page and first + limit < len(events):
            token = f"{log_group_name}@{page[-1]['logStreamName']}@{page[-1]['eventId']}"
        searched = [{"logStreamName": s.log_stream_name, "searchedCompletely": True} for s in streams]
        return page, token, searched

    return filter_log_events


def _token(direction, position):
    return f"{direction}/{position:056d}"


def _get_log_events(_original):
    def get_log_events(self, start_time, end_time, limit, next_token, start_from_head):
        limit = limit or 10000
        events = [
            e for e in self.events
            if (start_time is None or e.timestamp >= start_time) and (end_time is None or e.timestamp < end_time)
        ]
        events.sort(key=lambda e: (e.timestamp, e.event_id))
        if next_token is None:
            if start_from_head:
                start, end = 0, min(limit, len(events))
            else:
                start, end = max(0, len(events) - limit), len(events)
        else:
            try:
                direction, position = next_token[0], int(next_token[2:])
                if direction not in "fb" or next_token[1] != "/" or position < 0:
                    raise ValueError()
            except (ValueError, IndexError):
                raise InvalidParameterException("The specified nextToken is invalid.") from None
            position = min(position, len(events))
            if direction == "f":
                start, end = position, min(position + limit, len(events))
            else:
                start, end = max(0, position - limit), position
        page = [e.to_response_dict() for e in events[start:end]]
        return page, _token("b", start), _token("f", end)

    return get_log_events


def install():
    require(LogsResponse, "_get_param", "(self, param_name, if_none=None)")
    require(LogStream, "filter_log_events", "(self, start_time, end_time, filter_pattern)")
    patch(LogsResponse, "filter_log_events", "(self)", _filter_log_events)
    patch(
        LogGroup,
        "filter_log_events",
        "(self, log_group_name, log_stream_names, start_time, end_time, limit, next_token, filter_pattern, interleaved)",
        _interleaved,
    )
    patch(LogStream, "get_log_events", "(self, start_time, end_time, limit, next_token, start_from_head)", _get_log_events)
