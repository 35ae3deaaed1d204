"""English and Simplified Chinese names for the labels and measures shown to users.

Chinese follows the terms of the Chinese edition of the AASM manual and Chinese PSG reports (总睡眠时间,
睡眠效率, 入睡后觉醒时间, 氧减指数) and the Chinese MRI sequence names used in radiology reports.
"""

LABELS: dict[str, dict[str, str]] = {
    # Series labels
    "t1w": {"en": "T1-weighted", "zh": "T1加权像"},
    "t2w": {"en": "T2-weighted", "zh": "T2加权像"},
    "flair": {"en": "FLAIR", "zh": "液体衰减反转恢复序列（FLAIR）"},
    "bold": {"en": "Functional MRI (BOLD)", "zh": "血氧水平依赖功能磁共振（BOLD）"},
    "dwi": {"en": "Diffusion-weighted", "zh": "弥散加权成像"},
    "localizer": {"en": "Localizer", "zh": "定位像"},
    "lumbar_t2_sag": {"en": "Lumbar spine T2 sagittal", "zh": "腰椎矢状位T2加权像"},
    "angio": {"en": "Angiography", "zh": "血管成像"},
    "unknown": {"en": "Unclassified", "zh": "未分类"},
    # Channel types
    "EEG": {"en": "EEG", "zh": "脑电"},
    "EOG": {"en": "EOG", "zh": "眼电"},
    "EMG chin": {"en": "Chin EMG", "zh": "颏肌电"},
    "EMG leg": {"en": "Leg EMG", "zh": "腿动肌电"},
    "EMG": {"en": "EMG", "zh": "肌电"},
    "ECG": {"en": "ECG", "zh": "心电"},
    "airflow": {"en": "Airflow", "zh": "口鼻气流"},
    "effort": {"en": "Respiratory effort", "zh": "呼吸努力（胸腹运动）"},
    "SpO2": {"en": "SpO2", "zh": "血氧饱和度"},
    "pulse": {"en": "Pulse rate", "zh": "脉率"},
    "other": {"en": "Other", "zh": "其他"},
    # Sleep stages
    "W": {"en": "Wake", "zh": "清醒期"},
    "N1": {"en": "Stage N1", "zh": "N1期"},
    "N2": {"en": "Stage N2", "zh": "N2期"},
    "N3": {"en": "Stage N3", "zh": "N3期"},
    "R": {"en": "Stage R (REM)", "zh": "快速眼动睡眠期（R期）"},
    "?": {"en": "Unscored", "zh": "未判读"},
    # Sleep measures
    "time_in_bed_min": {"en": "Time in bed (min)", "zh": "卧床时间（分钟）"},
    "total_sleep_time_min": {"en": "Total sleep time (min)", "zh": "总睡眠时间（分钟）"},
    "sleep_efficiency_pct": {"en": "Sleep efficiency (%)", "zh": "睡眠效率（%）"},
    "sleep_onset_latency_min": {"en": "Sleep onset latency (min)", "zh": "入睡潜伏期（分钟）"},
    "waso_min": {"en": "Wake after sleep onset (min)", "zh": "入睡后觉醒时间（分钟）"},
    "rem_latency_min": {"en": "REM latency (min)", "zh": "快速眼动睡眠潜伏期（分钟）"},
    "unscored_min": {"en": "Unscored time (min)", "zh": "未判读时间（分钟）"},
    # Oximetry
    "desaturations": {"en": "Desaturations (>= 3 %)", "zh": "氧减事件数（≥3%）"},
    "odi_per_hour": {"en": "Oxygen desaturation index (/h)", "zh": "氧减指数（次/小时）"},
    "valid_hours": {"en": "Valid oximetry time (h)", "zh": "有效血氧监测时间（小时）"},
    "mean_spo2": {"en": "Mean SpO2 (%)", "zh": "平均血氧饱和度（%）"},
    "nadir_spo2": {"en": "Lowest SpO2 (%)", "zh": "最低血氧饱和度（%）"},
    "time_below_90_min": {"en": "Time with SpO2 < 90 % (min)", "zh": "血氧饱和度<90%时间（分钟）"},
    # HRV
    "beats": {"en": "Heartbeats", "zh": "心搏数"},
    "duration_s": {"en": "Duration (s)", "zh": "时长（秒）"},
    "mean_rr_ms": {"en": "Mean RR interval (ms)", "zh": "平均RR间期（毫秒）"},
    "mean_hr_bpm": {"en": "Mean heart rate (bpm)", "zh": "平均心率（次/分）"},
    "sdnn_ms": {"en": "SDNN (ms)", "zh": "NN间期标准差 SDNN（毫秒）"},
    "rmssd_ms": {"en": "RMSSD (ms)", "zh": "相邻NN间期差值均方根 RMSSD（毫秒）"},
    "lf_hf": {"en": "LF/HF ratio", "zh": "低频/高频功率比（LF/HF）"},
    "lf_nu": {"en": "LF (normalised units)", "zh": "低频功率标准化值（LF n.u.）"},
    "hf_nu": {"en": "HF (normalised units)", "zh": "高频功率标准化值（HF n.u.）"},
    # EMG
    "rms": {"en": "RMS amplitude", "zh": "均方根振幅"},
    "mean_frequency_hz": {"en": "Mean frequency (Hz)", "zh": "平均功率频率（Hz）"},
    "median_frequency_hz": {"en": "Median frequency (Hz)", "zh": "中位频率（Hz）"},
    "mains_power_share": {"en": "50 Hz power share", "zh": "50 Hz工频功率占比"},
    "flat_line": {"en": "Flat line (lead off?)", "zh": "信号平直（导联脱落？）"},
    "clipping": {"en": "Clipping (amplifier saturated)", "zh": "削波（放大器饱和）"},
    "mains_interference": {"en": "Mains interference (50 Hz)", "zh": "工频干扰（50 Hz）"},
}


def label(key: str, language: str = "en") -> str:
    """ "bold:pain_empathy" -> "Functional MRI (BOLD): pain_empathy"; unknown keys come back unchanged."""
    base, _, task = key.partition(":")
    names = LABELS.get(base)
    if names is None:
        return key
    text = names.get(language, names["en"])
    return f"{text}: {task}" if task else text
