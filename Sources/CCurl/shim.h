#ifndef LEAVERSWEEP_CCURL_SHIM_H
#define LEAVERSWEEP_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are C variadics, which Swift cannot
// call. Each wrapper below pins one argument type so Swift sees an ordinary typed function.
// Keep them one-liners: any logic belongs in Swift where it is tested.

// MARK: - curl_easy_setopt

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// libcurl copies string options (since 7.17), so the Swift string may die after the call.
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Not copied: the pointee must outlive the transfer (user data, POSTFIELDS, ERRORBUFFER, CURLU).
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Not copied: the list must outlive the transfer.
static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this prototype.
static inline CURLcode ccurl_easy_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_read_function(CURL *handle, CURLoption option, curl_read_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_seek_function(CURL *handle, CURLoption option, curl_seek_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_xferinfo_function(CURL *handle, CURLoption option, curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, option, value);
}

// MARK: - curl_easy_getinfo

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// The string belongs to the handle; copy it before the next transfer.
static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: - curl_multi_setopt

static inline CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// MARK: - curl_multi_info_read

/// CURLMsg.data is a C union; for a CURLMSG_DONE message its `result` member is the transfer's CURLcode.
static inline CURLcode ccurl_multi_message_result(const CURLMsg *message) {
    return message->data.result;
}

// MARK: - Macros Swift does not import (they are expressions, not literals)

static inline long ccurl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline long ccurl_error_size(void) { return CURL_ERROR_SIZE; }
/// Fallback for a runtime libcurl older than 7.85, which lacks CURLOPT_PROTOCOLS_STR: the bitmask
/// options are deprecated, so they are set here where the deprecation warning cannot reach Swift.
static inline CURLcode ccurl_easy_restrict_to_http_https_legacy(CURL *handle) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#pragma clang diagnostic pop
}
/// Returned from a write callback to abort the transfer with CURLE_WRITE_ERROR.
/// (CURL_WRITEFUNC_ERROR arrived in 7.87; before that, returning 0 for a non-empty chunk does the same.)
static inline size_t ccurl_writefunc_error(void) {
#ifdef CURL_WRITEFUNC_ERROR
    return CURL_WRITEFUNC_ERROR;
#else
    return 0;
#endif
}

#endif
